import type { Logger } from '../../shared/runtime/logging.js';
import { startMcpDemo, type McpDemo } from '../mcp-demo/index.js';
import { startServiceProxy, type ServiceProxy } from '../service-proxy/index.js';

/** The demo MCP server (the process that plays the pods of demo/mcp-demo) behind its simulated Service. */
export interface DemoBackend {
  server: McpDemo;
  proxy: ServiceProxy;
  /** The URL the chat uses: through the Service, so a workload without ready endpoints refuses connections. */
  mcpUrl: string;
  stop(): Promise<void>;
}

export async function startDemoBackend(opts: {
  kubeUrl: string;
  /** The bearer token the proxy follows the Endpoints with (kube-proxy has its own identity; locally the admin's). */
  kubeToken?: string;
  namespace: string;
  service: string;
  log: Logger;
}): Promise<DemoBackend> {
  const server = await startMcpDemo({ log: opts.log.child({ component: 'mcp-demo' }) });
  const proxy = await startServiceProxy({
    kubeUrl: opts.kubeUrl,
    ...(opts.kubeToken ? { token: opts.kubeToken } : {}),
    namespace: opts.namespace,
    service: opts.service,
    backend: new URL(server.url).origin,
    log: opts.log.child({ component: 'service-proxy' })
  });
  return {
    server,
    proxy,
    mcpUrl: `${proxy.url}/mcp`,
    stop: async () => {
      await proxy.stop();
      await server.stop();
    }
  };
}
