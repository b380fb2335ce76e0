import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { k8sMcpServer } from '../../../helpers/k8s-mcp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../../../local/kube-sim/index.js';
import { first, names, postChat } from '../../../helpers/chat.js';
import { startChatHarness, type ChatHarness } from './harness.js';

/** A port that was free a moment ago (the Go server takes a port number, not 0). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

async function waitHealthy(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`kubernetes-mcp-server exited with ${child.exitCode}`);
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('kubernetes-mcp-server did not become healthy');
}

describe('Function: chat with kubernetes-mcp-server 0.0.67 as a third-party MCP server', () => {
  let sim: Simulator;
  let dir: string;
  let mcp: ChildProcess;
  let h: ChatHarness;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, seed: 'demo', podStartMs: 0 });
    dir = await mkdtemp(path.join(tmpdir(), 'chat-kube-'));
    const kubeconfig = await sim.writeKubeconfig(path.join(dir, 'kubeconfig.yaml'));
    const port = await freePort();
    mcp = spawn(k8sMcpServer(), ['--port', String(port), '--bind-address', '127.0.0.1', '--kubeconfig', kubeconfig], {
      stdio: 'ignore'
    });
    await waitHealthy(`http://127.0.0.1:${port}/healthz`, mcp);
    await sim.waitFor(
      () => sim.list('Pod', 'demo').filter((p) => (p.status as { phase?: string })?.phase === 'Running').length >= 3
    );
    const url = `http://127.0.0.1:${port}/mcp`;
    h = await startChatHarness({
      servers: () => [{ name: 'k8s', url, target: { namespace: 'cortex', service: 'kubernetes-mcp-server' } }]
    });
  });
  afterAll(async () => {
    await h?.stop();
    mcp?.kill('SIGTERM');
    await sim?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('offers its tools to Claude, namespaced, and returns the demo pods through the chat', async () => {
    // Prepare
    const question = { message: 'Use the pods_list_in_namespace tool for namespace demo and tell me which pods run there.' };
    // Act
    const reply = await postChat(h.chat.url, question);
    // Assess
    const offered = (h.standin.requests()[0]!.body as { tools: { name: string }[] }).tools.map((t) => t.name);
    expect(offered).toEqual(
      expect.arrayContaining(['k8s__pods_list_in_namespace', 'k8s__namespaces_list', 'k8s__events_list'])
    );
    expect(offered.every((n) => n.startsWith('k8s__'))).toBe(true);
    expect(first(reply, 'tool_call')).toMatchObject({
      name: 'pods_list_in_namespace',
      server: 'k8s',
      input: { namespace: 'demo' }
    });
    const result = first(reply, 'tool_result');
    expect(result.isError).toBe(false);
    const podNames = sim.list('Pod', 'demo').map((p) => p.metadata.name);
    for (const pod of podNames) expect(String(result.content)).toContain(pod);
    expect(String(first(reply, 'done').message)).toContain(podNames.find((n) => n.startsWith('mcp-demo-'))!);
    expect(names(reply).at(-1)).toBe('done');
  });
});
