import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { k8sMcpServer } from '../../helpers/k8s-mcp.js';
import { type Simulator } from '../../../local/kube-sim/index.js';
import { livePods, startTestSimulator } from '../../helpers/kube-sim.js';

const MCP_SERVER = k8sMcpServer();

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('Cluster simulator: kubernetes-mcp-server 0.0.67', () => {
  let sim: Simulator;
  let server: ChildProcess;
  let client: Client;
  let output = '';

  const text = async (name: string, args: Record<string, unknown>): Promise<string> => {
    const r = (await client.callTool({ name, arguments: args })) as {
      content: { type: string; text?: string }[];
      isError?: boolean;
    };
    const t = r.content.map((c) => c.text ?? '').join('\n');
    if (r.isError) throw new Error(`${name} failed: ${t}`);
    return t;
  };

  beforeAll(async () => {
    const started = await startTestSimulator();
    sim = started.sim;
    await sim.waitFor(() => sim.get('Deployment', 'demo', 'mcp-tools')?.status?.['readyReplicas'] === 2);
    const port = await freePort();
    server = spawn(MCP_SERVER, ['--port', String(port), '--bind-address', '127.0.0.1', '--kubeconfig', started.kubeconfig], {
      stdio: ['ignore', 'pipe', 'pipe']
    });
    server.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    server.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    await sim.waitFor(
      async () => {
        if (server.exitCode !== null) throw new Error(`kubernetes-mcp-server exited: ${output}`);
        return fetch(`http://127.0.0.1:${port}/healthz`).then(
          (r) => r.ok,
          () => false
        );
      },
      { timeoutMs: 60_000, intervalMs: 100, message: 'kubernetes-mcp-server /healthz' }
    );
    client = new Client({ name: 'kube-sim-conformance', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`)));
  });
  afterAll(async () => {
    await client?.close();
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
    }
    await sim?.stop();
  });

  it('pods_list_in_namespace lists the demo pods with their status', async () => {
    // Prepare
    const pods = livePods(sim, 'mcp-tools');

    // Act
    const t = await text('pods_list_in_namespace', { namespace: 'demo' });

    // Assess
    for (const p of pods) expect(t).toContain(p);
    expect(t).toMatch(/mcp-tools-\S+\s+1\/1\s+Running/);
    expect(t).toContain('app=mcp-tools');
  });

  it('pods_get returns the pod with its image and phase', async () => {
    // Prepare
    const pod = livePods(sim, 'mcp-demo')[0]!;

    // Act
    const t = await text('pods_get', { namespace: 'demo', name: pod });

    // Assess
    expect(t).toContain(`name: ${pod}`);
    expect(t).toContain('image: ghcr.io/cortex-demo/mcp-demo:1.4.2');
    expect(t).toContain('phase: Running');
  });

  it('pods_log returns the container log', async () => {
    // Prepare
    const pod = livePods(sim, 'mcp-demo')[0]!;

    // Act
    const t = await text('pods_log', { namespace: 'demo', name: pod });

    // Assess
    expect(t).toContain('mcp-demo 1.4.2 starting');
    expect(t).toContain('MCP server listening on 0.0.0.0:3000');
  });

  it('events_list returns the namespace events', async () => {
    // Prepare
    const args = { namespace: 'demo' };

    // Act
    const t = await text('events_list', args);

    // Assess
    expect(t).toContain('ScalingReplicaSet');
    expect(t).toContain('Scaled up replica set mcp-demo-');
    expect(t).toContain('Successfully assigned demo/');
  });

  it('resources_list lists apps/v1 Deployments', async () => {
    // Prepare
    const args = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'demo' };

    // Act
    const t = await text('resources_list', args);

    // Assess
    expect(t).toMatch(/mcp-demo\s+1\/1\s+1\s+1/);
    expect(t).toMatch(/mcp-tools\s+2\/2\s+2\s+2/);
    expect(t).toContain('legacy-api');
  });

  it('resources_scale scales a Deployment through its scale subresource', async () => {
    // Prepare
    const args = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'demo', name: 'legacy-api', scale: 2 };

    // Act
    const t = await text('resources_scale', args);
    const pods = await sim.waitFor(() =>
      livePods(sim, 'legacy-api').length === 2 ? livePods(sim, 'legacy-api') : undefined
    );

    // Assess
    expect(t).toContain('legacy-api');
    expect((sim.get('Deployment', 'demo', 'legacy-api')!.spec as { replicas: number }).replicas).toBe(2);
    expect(pods).toHaveLength(2);
  });

  it('pods_list asks a protobuf SelfSubjectAccessReview first; allowed, it lists across namespaces', async () => {
    // Prepare
    const seen = sim.audit().length;

    // Act
    const t = await text('pods_list', {});
    const requests = sim.audit().slice(seen);

    // Assess
    expect(t).toContain('mcp-tools-');
    expect(requests.map((e) => [e.verb, e.objectRef?.resource, e.objectRef?.namespace, e.responseStatus.code])).toEqual(
      expect.arrayContaining([
        ['create', 'selfsubjectaccessreviews', undefined, 201],
        ['list', 'pods', undefined, 200]
      ])
    );
  });
});
