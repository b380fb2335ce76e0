export { startClaudeStandin, type ClaudeStandin, type ClaudeStandinOptions } from './server.js';
export { FAULT_KINDS, type Fault, type FaultKind } from './faults.js';
export type { RecordedRequest } from './request-log.js';
