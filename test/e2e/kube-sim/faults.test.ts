import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator } from '../../../local/kube-sim/index.js';
import { kubectl, kubectlStream, kubectlUntil, parseTable } from '../../helpers/kubectl.js';
import { createWorkload, livePods, startTestSimulator } from '../../helpers/kube-sim.js';

/** Every fault is injected the way an operator would: `kubectl annotate deploy/<name> sim.cortex.dev/fault=<fault>`. */
describe('Cluster simulator: faults seen through kubectl 1.20', () => {
  let sim: Simulator;
  let kc: string;

  const pods = (app: string) =>
    kubectl(kc, ['get', 'pods', '-n', 'demo', '-l', `app=${app}`]).then((r) => parseTable(r.stdout));
  const podsUntil = (app: string, check: (rows: Record<string, string>[]) => boolean, timeoutMs = 60_000) =>
    kubectlUntil(kc, ['get', 'pods', '-n', 'demo', '-l', `app=${app}`], (r) => r.code === 0 && check(parseTable(r.stdout)), {
      timeoutMs
    }).then((r) => parseTable(r.stdout));
  const annotate = (app: string, fault: string) =>
    kubectl(kc, ['annotate', '--overwrite', `deploy/${app}`, '-n', 'demo', `sim.cortex.dev/fault=${fault}`]);
  const clear = (app: string) => kubectl(kc, ['annotate', `deploy/${app}`, '-n', 'demo', 'sim.cortex.dev/fault-']);
  const ready = (app: string, n = 1) =>
    podsUntil(
      app,
      (rows) => rows.filter((r) => r['STATUS'] === 'Running' && r['READY'] === '1/1').length === n && rows.length === n
    );

  beforeAll(async () => {
    ({ sim, kubeconfig: kc } = await startTestSimulator());
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it('crashloop: CrashLoopBackOff, 0/1 READY, RESTARTS growing', async () => {
    // Prepare
    await createWorkload(sim, 'w-crash');
    await ready('w-crash');

    // Act
    const r = await annotate('w-crash', 'crashloop');
    const first = await podsUntil(
      'w-crash',
      (rows) => rows[0]?.['STATUS'] === 'CrashLoopBackOff' && Number(rows[0]['RESTARTS']) >= 1
    );
    const later = await podsUntil('w-crash', (rows) => Number(rows[0]?.['RESTARTS']) > Number(first[0]!['RESTARTS']));

    // Assess
    expect(r.stdout.trim()).toBe('deployment.apps/w-crash annotated');
    expect(first[0]).toMatchObject({ READY: '0/1', STATUS: 'CrashLoopBackOff' });
    expect(later[0]!['NAME']).toBe(first[0]!['NAME']);
    const d = await kubectl(kc, ['describe', 'pod', first[0]!['NAME']!, '-n', 'demo']);
    expect(d.stdout).toMatch(/Last State:\s+Terminated\s+Reason:\s+Error\s+Exit Code:\s+1/);
    expect(d.stdout).toMatch(/Warning\s+BackOff\s+.*Back-off restarting failed container server in pod/);
  });

  it('crashloop persists through pod deletion; clearing the annotation heals', async () => {
    // Prepare
    const before = livePods(sim, 'w-crash');

    // Act
    await kubectl(kc, ['delete', 'pods', '-n', 'demo', '-l', 'app=w-crash']);
    const crashing = await podsUntil(
      'w-crash',
      (rows) => rows.length === 1 && !before.includes(rows[0]!['NAME']!) && rows[0]!['STATUS'] === 'CrashLoopBackOff'
    );
    await clear('w-crash');
    await kubectl(kc, ['delete', 'pods', '-n', 'demo', '-l', 'app=w-crash']);
    const healed = await ready('w-crash');

    // Assess
    expect(crashing[0]!['READY']).toBe('0/1');
    expect(healed[0]).toMatchObject({ READY: '1/1', STATUS: 'Running', RESTARTS: '0' });
  });

  it('crashloop-transient: existing pods crash, replacements after deleting them are healthy', async () => {
    // Prepare
    await createWorkload(sim, 'w-transient', { replicas: 2 });
    await ready('w-transient', 2);

    // Act
    await annotate('w-transient', 'crashloop-transient');
    const crashing = await podsUntil(
      'w-transient',
      (rows) => rows.length === 2 && rows.every((r) => r['STATUS'] === 'CrashLoopBackOff')
    );
    await kubectl(kc, ['delete', 'pods', '-n', 'demo', '-l', 'app=w-transient']);
    const healed = await ready('w-transient', 2);
    // Observe the replacements past the time a crashing container would have exited.
    const observed: string[] = [];
    for (let i = 0; i < 6; i++) {
      for (const row of await pods('w-transient')) observed.push(`${row['READY']} ${row['STATUS']} ${row['RESTARTS']}`);
      await new Promise((r) => setTimeout(r, 150));
    }

    // Assess
    expect(crashing.map((r) => r['NAME'])).not.toEqual(expect.arrayContaining(healed.map((r) => r['NAME'])));
    expect(new Set(observed)).toEqual(new Set(['1/1 Running 0']));
    expect(sim.get('Deployment', 'demo', 'w-transient')!.metadata.annotations!['sim.cortex.dev/fault']).toBe(
      'crashloop-transient'
    );
  });

  it('oom: OOMKilled right after the kill, then lastState OOMKilled exit 137 in describe', async () => {
    // Prepare
    await createWorkload(sim, 'w-oom');
    await ready('w-oom');
    const watch = kubectlStream(kc, ['get', 'pods', '-n', 'demo', '-l', 'app=w-oom', '-w']);
    await watch.waitForLine((l) => l.startsWith('w-oom-'));

    // Act
    await annotate('w-oom', 'oom');
    const killed = await watch.waitForLine((l) => /\sOOMKilled\s/.test(l));
    const backoff = await watch.waitForLine((l) => /\sCrashLoopBackOff\s/.test(l));
    await watch.stop();
    const pod = killed.split(/\s+/)[0]!;
    const d = await kubectl(kc, ['describe', 'pod', pod, '-n', 'demo']);

    // Assess
    expect(killed).toMatch(/^w-oom-\S+\s+0\/1\s+OOMKilled\s+0\s/);
    expect(backoff.split(/\s+/)[0]).toBe(pod);
    expect(d.stdout).toMatch(/Last State:\s+Terminated\s+Reason:\s+OOMKilled\s+Exit Code:\s+137/);
    const log = await kubectl(kc, ['logs', pod, '-n', 'demo', '--previous']);
    expect(log.stdout).toContain('JavaScript heap out of memory');
  });

  it('image-pull: ErrImagePull/ImagePullBackOff naming the image, phase Pending', async () => {
    // Prepare
    await createWorkload(sim, 'w-pull');
    await ready('w-pull');

    // Act
    await annotate('w-pull', 'image-pull');
    const rows = await podsUntil(
      'w-pull',
      (rs) => rs.length === 1 && /^(ImagePullBackOff|ErrImagePull)$/.test(rs[0]!['STATUS']!)
    );
    const pod = rows[0]!['NAME']!;
    const d = await kubectlUntil(kc, ['describe', 'pod', pod, '-n', 'demo'], (r) =>
      r.stdout.includes('Back-off pulling image')
    );

    // Assess
    expect(rows[0]!['READY']).toBe('0/1');
    expect(d.stdout).toMatch(/Status:\s+Pending/);
    expect(d.stdout).toContain('Failed to pull image "ghcr.io/cortex-demo/w-pull:1.0.0"');
    expect(d.stdout).toMatch(/Warning\s+Failed\s+.*Error: ErrImagePull/);
  });

  it('not-ready: Running but 0/1 with Warning Unhealthy events; endpoints move to notReady', async () => {
    // Prepare
    await createWorkload(sim, 'w-unready');
    await ready('w-unready');

    // Act
    await annotate('w-unready', 'not-ready');
    const rows = await podsUntil('w-unready', (rs) => rs[0]?.['READY'] === '0/1');
    const events = await kubectlUntil(
      kc,
      ['get', 'events', '-n', 'demo', '--field-selector', `involvedObject.name=${rows[0]!['NAME']},reason=Unhealthy`],
      (r) => r.stdout.includes('Readiness probe failed')
    );
    const ep = await kubectl(kc, ['get', 'endpoints', 'w-unready', '-n', 'demo']);

    // Assess
    expect(rows[0]!['STATUS']).toBe('Running');
    expect(events.stdout).toMatch(/Warning\s+Unhealthy\s+pod\/w-unready-/);
    expect(parseTable(ep.stdout)[0]!['ENDPOINTS']).toBe('<none>');
  });

  it('endpoints-stale: pods ready but endpoints empty until a rollout restart replaces them', async () => {
    // Prepare
    await createWorkload(sim, 'w-stale');
    await ready('w-stale');
    const endpoints = () =>
      kubectl(kc, ['get', 'endpoints', 'w-stale', '-n', 'demo']).then((r) => parseTable(r.stdout)[0]!['ENDPOINTS']);

    // Act
    await annotate('w-stale', 'endpoints-stale');
    const empty = await kubectlUntil(
      kc,
      ['get', 'endpoints', 'w-stale', '-n', 'demo'],
      (r) => parseTable(r.stdout)[0]?.['ENDPOINTS'] === '<none>'
    );
    const podsWhileStale = await pods('w-stale');
    await kubectl(kc, ['rollout', 'restart', 'deploy/w-stale', '-n', 'demo']);
    const status = await kubectl(kc, ['rollout', 'status', 'deploy/w-stale', '-n', 'demo', '--timeout=60s']);
    const filled = await kubectlUntil(kc, ['get', 'endpoints', 'w-stale', '-n', 'demo'], (r) =>
      /^10\.244\.\d+\.\d+:3000$/.test(parseTable(r.stdout)[0]?.['ENDPOINTS'] ?? '')
    );

    // Assess
    expect(parseTable(empty.stdout)[0]!['ENDPOINTS']).toBe('<none>');
    expect(podsWhileStale[0]).toMatchObject({ READY: '1/1', STATUS: 'Running' });
    expect(status.code).toBe(0);
    expect(parseTable(filled.stdout)[0]!['ENDPOINTS']).toMatch(/:3000$/);
    expect(await endpoints()).not.toBe('<none>');
  });

  it('evicted: Failed/Evicted pods stay behind while replacements run', async () => {
    // Prepare
    await createWorkload(sim, 'w-evict');
    await ready('w-evict');

    // Act
    await annotate('w-evict', 'evicted');
    const rows = await podsUntil(
      'w-evict',
      (rs) => rs.some((r) => r['STATUS'] === 'Evicted') && rs.some((r) => r['STATUS'] === 'Running' && r['READY'] === '1/1')
    );
    const evicted = rows.find((r) => r['STATUS'] === 'Evicted')!;
    const failed = await kubectl(kc, ['get', 'pods', '-n', 'demo', '--field-selector', 'status.phase=Failed', '-o', 'name']);
    const d = await kubectl(kc, ['describe', 'pod', evicted['NAME']!, '-n', 'demo']);

    // Assess
    expect(evicted['READY']).toBe('0/1');
    expect(failed.stdout.trim()).toBe(`pod/${evicted['NAME']}`);
    expect(d.stdout).toMatch(/Reason:\s+Evicted/);
    expect(d.stdout).toContain('The node was low on resource: memory.');
  });

  it('network-block: a deny-all-ingress NetworkPolicy exists while the fault is set', async () => {
    // Prepare
    await createWorkload(sim, 'w-net');

    // Act
    await annotate('w-net', 'network-block');
    const during = await kubectlUntil(kc, ['get', 'networkpolicy', '-n', 'demo', '-o', 'json'], (r) =>
      r.stdout.includes('w-net-sim-deny-all')
    );
    await clear('w-net');
    const after = await kubectlUntil(
      kc,
      ['get', 'networkpolicy', '-n', 'demo', '-o', 'name'],
      (r) => !r.stdout.includes('w-net-sim-deny-all')
    );

    // Assess
    const np = (JSON.parse(during.stdout) as { items: { metadata: { name: string }; spec: unknown }[] }).items.find(
      (i) => i.metadata.name === 'w-net-sim-deny-all'
    )!;
    expect(np.spec).toEqual({ podSelector: { matchLabels: { app: 'w-net' } }, policyTypes: ['Ingress'], ingress: [] });
    expect(after.stdout).not.toContain('w-net-sim-deny-all');
  });

  it('scale to 0 empties the endpoints; scale to 1 brings a Ready pod and fills them', async () => {
    // Prepare
    await createWorkload(sim, 'w-scale');
    await ready('w-scale');

    // Act
    await kubectl(kc, ['scale', 'deploy/w-scale', '-n', 'demo', '--replicas=0']);
    const empty = await kubectlUntil(
      kc,
      ['get', 'endpoints', 'w-scale', '-n', 'demo'],
      (r) => parseTable(r.stdout)[0]?.['ENDPOINTS'] === '<none>'
    );
    const none = await podsUntil('w-scale', (rs) => rs.length === 0, 30_000);
    await kubectl(kc, ['scale', 'deploy/w-scale', '-n', 'demo', '--replicas=1']);
    const back = await ready('w-scale');
    const filled = await kubectlUntil(kc, ['get', 'endpoints', 'w-scale', '-n', 'demo'], (r) =>
      /:3000$/.test(parseTable(r.stdout)[0]?.['ENDPOINTS'] ?? '')
    );

    // Assess
    expect(parseTable(empty.stdout)[0]!['ENDPOINTS']).toBe('<none>');
    expect(none).toEqual([]);
    expect(back[0]).toMatchObject({ READY: '1/1', STATUS: 'Running' });
    expect(parseTable(filled.stdout)[0]!['ENDPOINTS']).toMatch(/^10\.244\./);
  });
});
