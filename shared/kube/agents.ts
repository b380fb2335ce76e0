import type https from 'node:https';
import type { Cluster, KubeConfig } from '@kubernetes/client-node';

/**
 * client-node 1.4.0 builds a new Agent for every request, so every API call opens a new TCP and TLS connection: in a
 * healing's eight checks that handshake was the largest CPU cost. The agents are kept (one per distinct set of
 * options, which a kubeconfig holds constant) with keep-alive, so calls reuse their connections.
 */
export function reuseConnections(kc: KubeConfig): KubeConfig {
  // createAgent is private in the typings (a pinned version: reference libraries.md), public at run time.
  type MakeAgent = (cluster: Cluster | null, options: https.AgentOptions) => https.Agent;
  const target = kc as unknown as { createAgent: MakeAgent };
  const make = target.createAgent.bind(kc);
  const agents = new Map<string, https.Agent>();
  target.createAgent = (cluster, options) => {
    const key = JSON.stringify([cluster?.server, cluster?.proxyUrl, options.servername, options.rejectUnauthorized]);
    let agent = agents.get(key);
    if (!agent) agents.set(key, (agent = make(cluster, { ...options, keepAlive: true })));
    return agent;
  };
  return kc;
}
