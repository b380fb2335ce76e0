import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator } from '../../../local/kube-sim/index.js';
import { kubectl, kubectlUntil, parseTable } from '../../helpers/kubectl.js';
import { createWorkload, livePods, startTestSimulator } from '../../helpers/kube-sim.js';

/*
 * The workload annotations besides `sim.cortex.dev/fault`, driven the way an operator would with kubectl 1.20:
 * dependencies between workloads (`depends-on`), a bad rollout (`fault-on-new-template`), planted log lines
 * (`log-line`), and what a scale leaves behind (ScalingReplicaSet "from N", last-applied-configuration).
 */
describe('Cluster simulator: workload annotations seen through kubectl 1.20', () => {
  let sim: Simulator;
  let kc: string;

  const k = (...args: string[]) => kubectl(kc, ['-n', 'demo', ...args]);
  const rows = (app: string) => k('get', 'pods', '-l', `app=${app}`).then((r) => parseTable(r.stdout));
  const podsUntil = (app: string, check: (rs: Record<string, string>[]) => boolean, timeoutMs = 60_000) =>
    kubectlUntil(kc, ['get', 'pods', '-n', 'demo', '-l', `app=${app}`], (r) => r.code === 0 && check(parseTable(r.stdout)), {
      timeoutMs
    }).then((r) => parseTable(r.stdout));
  const allReady = (n: number) => (rs: Record<string, string>[]) =>
    rs.length === n && rs.every((r) => r['READY'] === '1/1' && r['STATUS'] === 'Running');
  const crashing = (rs: Record<string, string>[]) => rs.some((r) => r['STATUS'] === 'CrashLoopBackOff');

  beforeAll(async () => {
    ({ sim, kubeconfig: kc } = await startTestSimulator());
    await podsUntil('mcp-demo', allReady(1));
    await podsUntil('postgres', allReady(1));
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it('depends-on: postgres scaled to 0 → mcp-demo crash-loops naming its ClusterIP:5432; back to 1 → it recovers by itself', async () => {
    // Prepare
    const ip = (await k('get', 'svc', 'postgres', '-o', 'jsonpath={.spec.clusterIP}')).stdout;
    const annotation = (await k('get', 'deploy', 'mcp-demo', '-o', 'jsonpath={.metadata.annotations}')).stdout;
    const pod = livePods(sim, 'mcp-demo')[0]!;

    // Act
    await k('scale', 'deploy/postgres', '--replicas=0');
    const down = await podsUntil('mcp-demo', crashing);
    const previous = await k('logs', pod, '--previous');
    const describe = await k('describe', 'pod', pod);
    await k('scale', 'deploy/postgres', '--replicas=1');
    const back = await podsUntil('mcp-demo', allReady(1));
    const current = await k('logs', pod);

    // Assess
    expect(annotation).toContain('"sim.cortex.dev/depends-on":"postgres:5432"');
    expect(ip).toMatch(/^10\.96\.\d+\.\d+$/);
    expect(down).toEqual([expect.objectContaining({ NAME: pod, READY: '0/1', STATUS: 'CrashLoopBackOff' })]);
    expect(previous.stdout).toContain('ERROR failed to connect to postgres at postgres.demo.svc.cluster.local:5432');
    expect(previous.stdout).toContain(`Error: connect ECONNREFUSED ${ip}:5432`);
    expect(previous.stdout).toMatch(/FATAL mcp-demo cannot start without its database postgres, exiting with code 1\n$/);
    expect(describe.stdout).toMatch(/Last State:\s+Terminated\s+Reason:\s+Error\s+Exit Code:\s+1/);
    expect(back[0]!['NAME']).toBe(pod);
    expect(Number(back[0]!['RESTARTS'])).toBeGreaterThanOrEqual(1);
    expect(current.stdout).toContain('connecting to postgres at postgres.demo.svc.cluster.local:5432');
    expect(current.stdout).not.toContain('ECONNREFUSED');
  });

  it('depends-on: a Service that does not exist fails name resolution; another namespace is <ns>/<service>', async () => {
    // Prepare
    await k('create', 'namespace', 'data');
    await createWorkload(sim, 'w-deps');
    await podsUntil('w-deps', allReady(1));

    // Act
    await k('annotate', 'deploy/w-deps', 'sim.cortex.dev/depends-on=data/redis:80');
    await podsUntil('w-deps', crashing);
    const pod = livePods(sim, 'w-deps')[0]!;
    const missing = await k('logs', pod, '--previous');
    await createWorkload(sim, 'redis', { namespace: 'data' });
    const healed = await podsUntil('w-deps', allReady(1));

    // Assess
    expect(missing.stdout).toContain('ERROR failed to connect to redis at redis.data.svc.cluster.local:80');
    expect(missing.stdout).toContain('Error: getaddrinfo ENOTFOUND redis.data.svc.cluster.local');
    expect(missing.stdout).toContain('FATAL w-deps cannot start without its cache redis, exiting with code 1');
    expect(healed[0]!['NAME']).toBe(pod);
  });

  it('scale events read "Scaled down replica set … to 0 from 2" and the Deployment keeps its last-applied replicas', async () => {
    // Prepare
    const rs = sim.list('ReplicaSet', 'demo', 'app=mcp-tools')[0]!.metadata.name;

    // Act
    await k('scale', 'deploy/mcp-tools', '--replicas=0');
    const events = await kubectlUntil(
      kc,
      ['get', 'events', '-n', 'demo', '--field-selector', 'involvedObject.kind=Deployment,reason=ScalingReplicaSet'],
      (r) => r.stdout.includes(`Scaled down replica set ${rs} to 0 from 2`)
    );
    const applied = await k('apply', 'view-last-applied', 'deploy/mcp-tools', '-o', 'json');
    await k('scale', 'deploy/mcp-tools', '--replicas=2');
    const up = await kubectlUntil(
      kc,
      ['get', 'events', '-n', 'demo', '--field-selector', 'involvedObject.name=mcp-tools,reason=ScalingReplicaSet'],
      (r) => r.stdout.includes(`Scaled up replica set ${rs} to 2 from 0`)
    );

    // Assess
    expect(events.stdout).toMatch(
      new RegExp(`Normal\\s+ScalingReplicaSet\\s+deployment/mcp-tools\\s+Scaled down replica set ${rs} to 0 from 2`)
    );
    expect(applied.code).toBe(0);
    expect(JSON.parse(applied.stdout)).toMatchObject({ kind: 'Deployment', spec: { replicas: 2 } });
    expect(up.stdout).toContain(`Scaled up replica set ${rs} to 2`);
    await podsUntil('mcp-tools', allReady(2));
  });

  it('fault-on-new-template=crashloop: a rollout restart crash-loops the new pods, rollout undo heals', async () => {
    // Prepare
    await createWorkload(sim, 'w-bad-rollout');
    const [original] = await podsUntil('w-bad-rollout', allReady(1));
    await k('annotate', 'deploy/w-bad-rollout', 'sim.cortex.dev/fault-on-new-template=crashloop');

    // Act
    await k('rollout', 'restart', 'deploy/w-bad-rollout');
    const during = await podsUntil('w-bad-rollout', (rs) => rs.length === 2 && crashing(rs));
    const stuck = await k('rollout', 'status', 'deploy/w-bad-rollout', '--timeout=1s');
    const undo = await k('rollout', 'undo', 'deploy/w-bad-rollout');
    const status = await k('rollout', 'status', 'deploy/w-bad-rollout', '--timeout=60s');
    const after = await podsUntil('w-bad-rollout', allReady(1));
    const annotations = (await k('get', 'deploy', 'w-bad-rollout', '-o', 'jsonpath={.metadata.annotations}')).stdout;

    // Assess
    expect(during.find((r) => r['NAME'] === original!['NAME'])).toMatchObject({ READY: '1/1', STATUS: 'Running' });
    expect(during.find((r) => r['NAME'] !== original!['NAME'])).toMatchObject({ READY: '0/1', STATUS: 'CrashLoopBackOff' });
    expect(stuck.code).not.toBe(0);
    expect(undo.stdout.trim()).toBe('deployment.apps/w-bad-rollout rolled back');
    expect(status.stdout).toContain('successfully rolled out');
    expect(after).toEqual([expect.objectContaining({ NAME: original!['NAME'], RESTARTS: '0' })]);
    expect(annotations).toContain('"sim.cortex.dev/fault-on-new-template":"crashloop"');
  });

  it('fault-on-new-template=image-pull: a new image fails to pull while the old pods serve; undo heals', async () => {
    // Prepare
    await createWorkload(sim, 'w-bad-image');
    const [original] = await podsUntil('w-bad-image', allReady(1));
    await k('annotate', 'deploy/w-bad-image', 'sim.cortex.dev/fault-on-new-template=image-pull');

    // Act
    await k('set', 'image', 'deploy/w-bad-image', 'server=ghcr.io/cortex-demo/w-bad-image:2.0.0');
    const during = await podsUntil('w-bad-image', (rs) => rs.some((r) => /ImagePull/.test(r['STATUS']!)));
    await k('rollout', 'undo', 'deploy/w-bad-image');
    const after = await podsUntil('w-bad-image', allReady(1));
    const image = await k('get', 'deploy', 'w-bad-image', '-o', 'jsonpath={.spec.template.spec.containers[0].image}');

    // Assess
    expect(during).toHaveLength(2);
    expect(during.find((r) => r['NAME'] === original!['NAME'])).toMatchObject({ READY: '1/1', STATUS: 'Running' });
    expect(after[0]!['NAME']).toBe(original!['NAME']);
    expect(image.stdout).toBe('ghcr.io/cortex-demo/w-bad-image:1.0.0');
  });

  it('log-line: planted lines appear at each start and before each crash', async () => {
    // Prepare
    await createWorkload(sim, 'w-planted');
    await podsUntil('w-planted', allReady(1));
    const planted = 'password=hunter2\\nAuthorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl';

    // Act
    await k('annotate', 'deploy/w-planted', `sim.cortex.dev/log-line=${planted}`);
    await k('delete', 'pods', '-l', 'app=w-planted');
    const [fresh] = await podsUntil('w-planted', allReady(1));
    const started = await k('logs', fresh!['NAME']!);
    await k('annotate', 'deploy/w-planted', 'sim.cortex.dev/fault=crashloop');
    await podsUntil('w-planted', (rs) => Number(rs[0]?.['RESTARTS']) >= 1);
    const crashed = await k('logs', fresh!['NAME']!, '--previous');

    // Assess
    const lines = started.stdout.split('\n');
    const at = lines.indexOf('password=hunter2');
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toBe('Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl');
    const crashLines = crashed.stdout.split('\n');
    expect(crashLines.filter((l) => l === 'password=hunter2')).toHaveLength(2);
    expect(crashLines.lastIndexOf('password=hunter2')).toBeLessThan(crashLines.findIndex((l) => l.includes(' ERROR ')));
  });

  it("the plain crashloop's log names no address of the cluster's Services", async () => {
    // Prepare
    await k('annotate', 'deploy/legacy-api', 'sim.cortex.dev/fault=crashloop');
    const [row] = await podsUntil('legacy-api', (rs) => Number(rs[0]?.['RESTARTS']) >= 1);
    const ips = (await kubectl(kc, ['get', 'svc', '-A', '-o', 'jsonpath={.items[*].spec.clusterIP}'])).stdout.split(' ');

    // Act
    const log = await k('logs', row!['NAME']!, '--previous');
    await k('annotate', 'deploy/legacy-api', 'sim.cortex.dev/fault-');

    // Assess
    expect(log.stdout).toContain('ECONNREFUSED');
    expect(ips).toEqual(expect.arrayContaining(['10.96.0.1', '10.96.0.12', '10.96.0.15']));
    for (const ip of ips) expect(log.stdout).not.toContain(ip);
    expect(log.stdout).not.toMatch(/postgres/);
    expect((await rows('postgres'))[0]).toMatchObject({ READY: '1/1' });
  });
});
