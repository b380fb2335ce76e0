export { startMcpDemo, type McpDemo, type McpDemoOptions } from './server.js';
export { DOCS, searchDocs, type Doc, type Hit } from './knowledge.js';
