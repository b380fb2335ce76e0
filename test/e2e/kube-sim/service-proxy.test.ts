import { createServer, request, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator } from '../../../local/kube-sim/index.js';
import { type ServiceProxy, startServiceProxy } from '../../../local/service-proxy/index.js';
import { kubectl } from '../../helpers/kubectl.js';
import { startTestSimulator } from '../../helpers/kube-sim.js';

type Outcome = { ok: true; status: number; body: string } | { ok: false; code: string };

describe('Service proxy: follows the simulated Service endpoints', () => {
  let sim: Simulator;
  let kc: string;
  let backend: Server;
  let proxy: ServiceProxy;

  // A new connection per request (no keep-alive pool), as each probe of a Service would be.
  const get = (timeoutMs = 5_000): Promise<Outcome> =>
    new Promise((resolve) => {
      const req = request(`${proxy.url}/hello`, { agent: false, timeout: timeoutMs }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ ok: true, status: res.statusCode ?? 0, body }));
      });
      req.on('timeout', () => {
        req.destroy();
        resolve({ ok: false, code: 'TimeoutError' });
      });
      req.on('error', (e: NodeJS.ErrnoException) => resolve({ ok: false, code: e.code ?? e.name }));
      req.end();
    });
  const until = (check: (o: Outcome) => boolean) =>
    sim.waitFor(
      async () => {
        const o = await get();
        return check(o) ? o : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100 }
    );

  beforeAll(async () => {
    ({ sim, kubeconfig: kc } = await startTestSimulator());
    backend = createServer((_req, res) => res.end('hello from the pod'));
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
    await sim.waitFor(() => sim.get('Deployment', 'demo', 'mcp-demo')?.status?.['readyReplicas'] === 1);
    proxy = await startServiceProxy({
      kubeUrl: sim.url,
      namespace: 'demo',
      service: 'mcp-demo',
      backend: `http://127.0.0.1:${(backend.address() as AddressInfo).port}`,
      log: pino({ level: 'silent' }),
      token: sim.adminToken
    });
  });
  afterAll(async () => {
    await proxy?.stop();
    await new Promise((r) => backend?.close(r));
    await sim?.stop();
  });

  it('forwards to the backend while the Service has ready endpoints', async () => {
    // Prepare
    const port = proxy.port;

    // Act
    const o = await get();

    // Assess
    expect(proxy.listening()).toBe(true);
    expect(o).toEqual({ ok: true, status: 200, body: 'hello from the pod' });
    expect(new URL(proxy.url).port).toBe(String(port));
  });

  it('refuses connections after scale to 0 and accepts again on the same port after scale up', async () => {
    // Prepare
    const port = proxy.port;

    // Act
    await kubectl(kc, ['scale', 'deploy/mcp-demo', '-n', 'demo', '--replicas=0']);
    const refused = await until((o) => !o.ok);
    await kubectl(kc, ['scale', 'deploy/mcp-demo', '-n', 'demo', '--replicas=1']);
    const back = await until((o) => o.ok);

    // Assess
    expect(refused).toEqual({ ok: false, code: 'ECONNREFUSED' });
    expect(back).toEqual({ ok: true, status: 200, body: 'hello from the pod' });
    expect(proxy.port).toBe(port);
  });

  it('stops listening when the pods crash (no ready endpoints) and listens again once healed', async () => {
    // Prepare
    await until((o) => o.ok);

    // Act
    await kubectl(kc, ['annotate', 'deploy/mcp-demo', '-n', 'demo', 'sim.cortex.dev/fault=crashloop']);
    const refused = await until((o) => !o.ok);
    await kubectl(kc, ['annotate', 'deploy/mcp-demo', '-n', 'demo', 'sim.cortex.dev/fault-']);
    await kubectl(kc, ['rollout', 'restart', 'deploy/mcp-demo', '-n', 'demo']);
    const back = await until((o) => o.ok);

    // Assess
    expect(refused).toEqual({ ok: false, code: 'ECONNREFUSED' });
    expect(back.ok).toBe(true);
  });

  it('fault switch: http-500 answers 500, hang never answers', async () => {
    // Prepare
    await until((o) => o.ok);

    // Act
    proxy.setFault('http-500');
    const failing = await get();
    proxy.setFault('hang');
    const hanging = await get(300);
    proxy.setFault('none');
    const healthy = await get();

    // Assess
    expect(failing.ok && failing.status).toBe(500);
    expect(hanging).toEqual({ ok: false, code: 'TimeoutError' });
    expect(healthy).toEqual({ ok: true, status: 200, body: 'hello from the pod' });
  });
});
