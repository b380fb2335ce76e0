import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator } from '../../../local/kube-sim/index.js';
import { kubectl, kubectlStream, kubectlUntil, parseTable } from '../../helpers/kubectl.js';
import { createWorkload, livePods, startTestSimulator } from '../../helpers/kube-sim.js';

describe('Cluster simulator: kubectl 1.20', () => {
  let sim: Simulator;
  let kc: string;

  beforeAll(async () => {
    ({ sim, kubeconfig: kc } = await startTestSimulator());
    await sim.waitFor(
      () =>
        livePods(sim, 'mcp-tools').length === 2 &&
        sim.get('Deployment', 'demo', 'mcp-tools')?.status?.['readyReplicas'] === 2
    );
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it('lists pods with -o wide: READY, STATUS, RESTARTS, IP and NODE', async () => {
    // Prepare
    const args = ['get', 'pods', '-n', 'demo', '-o', 'wide', '-l', 'app=mcp-tools'];

    // Act
    const r = await kubectlUntil(kc, args, (x) => parseTable(x.stdout).every((row) => row['READY'] === '1/1'));

    // Assess
    const rows = parseTable(r.stdout);
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row['NAME']).toMatch(/^mcp-tools-[a-z0-9]+-[a-z0-9]{5}$/);
      expect(row['STATUS']).toBe('Running');
      expect(row['RESTARTS']).toBe('0');
      expect(row['IP']).toMatch(/^10\.244\.\d+\.\d+$/);
      expect(row['NODE']).toBe('sim-node-1');
    }
  });

  it('lists deployments with READY, UP-TO-DATE and AVAILABLE', async () => {
    // Prepare
    const args = ['get', 'deploy', '-n', 'demo'];

    // Act
    const r = await kubectl(kc, args);

    // Assess
    expect(r.code).toBe(0);
    const rows = Object.fromEntries(parseTable(r.stdout).map((row) => [row['NAME'], row]));
    expect(Object.keys(rows).sort()).toEqual(['legacy-api', 'mcp-demo', 'mcp-tools', 'postgres']);
    expect(rows['mcp-tools']).toMatchObject({ READY: '2/2', 'UP-TO-DATE': '2', AVAILABLE: '2' });
  });

  it('describes a pod with its events', async () => {
    // Prepare
    const pod = livePods(sim, 'mcp-demo')[0]!;
    await sim.waitFor(() => sim.get('Pod', 'demo', pod)?.status?.phase === 'Running');

    // Act
    const r = await kubectl(kc, ['describe', 'pod', pod, '-n', 'demo']);

    // Assess
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Name:         ${pod}`);
    expect(r.stdout).toMatch(/Status:\s+Running/);
    const events = r.stdout.slice(r.stdout.indexOf('Events:'));
    expect(events).not.toContain('<none>');
    expect(events).toMatch(/Normal\s+Scheduled\s+.*default-scheduler\s+Successfully assigned demo\//);
    expect(events).toMatch(/Normal\s+Started\s+.*kubelet\s+Started container server/);
  });

  it('scales a deployment and the pods follow', async () => {
    // Prepare
    const scale = ['scale', 'deploy/mcp-tools', '-n', 'demo', '--replicas=3'];

    // Act
    const r = await kubectl(kc, scale);
    const rows = await kubectlUntil(
      kc,
      ['get', 'deploy', 'mcp-tools', '-n', 'demo'],
      (x) => parseTable(x.stdout)[0]?.['READY'] === '3/3'
    );

    // Assess
    expect(r.stdout.trim()).toBe('deployment.apps/mcp-tools scaled');
    expect(parseTable(rows.stdout)[0]).toMatchObject({ 'UP-TO-DATE': '3', AVAILABLE: '3' });
    expect(livePods(sim, 'mcp-tools')).toHaveLength(3);
    await kubectl(kc, ['scale', 'deploy/mcp-tools', '-n', 'demo', '--replicas=2']);
  });

  it('rolls out a restart and rollout status completes', async () => {
    // Prepare
    const before = livePods(sim, 'mcp-demo');

    // Act
    const restart = await kubectl(kc, ['rollout', 'restart', 'deploy/mcp-demo', '-n', 'demo']);
    const status = await kubectl(kc, ['rollout', 'status', 'deploy/mcp-demo', '-n', 'demo', '--timeout=90s']);

    // Assess
    expect(restart.stdout.trim()).toBe('deployment.apps/mcp-demo restarted');
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('deployment "mcp-demo" successfully rolled out');
    const after = livePods(sim, 'mcp-demo');
    expect(after).toHaveLength(1);
    expect(before).not.toContain(after[0]);
    const d = sim.get('Deployment', 'demo', 'mcp-demo')!;
    expect(
      (d.spec!['template'] as { metadata: { annotations: Record<string, string> } }).metadata.annotations[
        'kubectl.kubernetes.io/restartedAt'
      ]
    ).toBeTruthy();
  });

  it('deletes a pod and the ReplicaSet replaces it', async () => {
    // Prepare
    const victim = livePods(sim, 'legacy-api')[0]!;

    // Act
    const r = await kubectl(kc, ['delete', 'pod', victim, '-n', 'demo']);

    // Assess
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(`pod "${victim}" deleted`);
    expect(sim.get('Pod', 'demo', victim)).toBeUndefined();
    const replacement = await sim.waitFor(() => livePods(sim, 'legacy-api').find((n) => n !== victim));
    expect(replacement).toMatch(/^legacy-api-/);
  });

  it('shows the previous container log with --previous --tail', async () => {
    // Prepare
    sim.setFault('demo', 'legacy-api', 'crashloop');
    const pod = await sim.waitFor(() =>
      sim
        .list('Pod', 'demo', 'app=legacy-api')
        .find(
          (p) => ((p.status?.['containerStatuses'] as { restartCount: number }[] | undefined)?.[0]?.restartCount ?? 0) >= 1
        )
    );

    // Act
    const r = await kubectl(kc, ['logs', pod.metadata.name, '-n', 'demo', '--previous', '--tail=3']);

    // Assess
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(/FATAL legacy-api cannot start without its session store, exiting with code 1$/);
    const full = await kubectl(kc, ['logs', pod.metadata.name, '-n', 'demo', '--previous']);
    expect(full.stdout).toContain('Error: connect ECONNREFUSED 10.10.4.7:6379');
    sim.setFault('demo', 'legacy-api', 'none');
  });

  it('answers logs --previous for a container that never restarted with the kubelet error', async () => {
    // Prepare
    const pod = livePods(sim, 'mcp-tools')[0]!;

    // Act
    const r = await kubectl(kc, ['logs', pod, '-n', 'demo', '--previous']);

    // Assess
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`previous terminated container "server" in pod "${pod}" not found`);
  });

  it('lists events with reasons and objects', async () => {
    // Prepare
    const args = ['get', 'events', '-n', 'demo'];

    // Act
    const r = await kubectl(kc, args);

    // Assess
    expect(r.code).toBe(0);
    const rows = parseTable(r.stdout);
    expect(rows.some((e) => e['REASON'] === 'ScalingReplicaSet' && e['OBJECT'] === 'deployment/mcp-demo')).toBe(true);
    expect(rows.some((e) => e['REASON'] === 'SuccessfulCreate' && e['OBJECT']!.startsWith('replicaset/mcp-tools-'))).toBe(
      true
    );
    expect(rows.some((e) => e['REASON'] === 'Killing' && e['OBJECT']!.startsWith('pod/'))).toBe(true);
  });

  it('watches pods with -w and sees a change', async () => {
    // Prepare
    const watch = kubectlStream(kc, ['get', 'pods', '-n', 'demo', '-l', 'app=mcp-tools', '-w']);
    await watch.waitForLine((l) => l.startsWith('mcp-tools-'));

    // Act
    await kubectl(kc, ['scale', 'deploy/mcp-tools', '-n', 'demo', '--replicas=3']);
    const fresh = await watch.waitForLine((l) => /ContainerCreating|Pending/.test(l));
    await watch.stop();

    // Assess
    expect(fresh).toMatch(/^mcp-tools-\S+\s+0\/1\s+(ContainerCreating|Pending)\s+0\s+/);
    expect(watch.lines[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    await kubectl(kc, ['scale', 'deploy/mcp-tools', '-n', 'demo', '--replicas=2']);
  });

  it('reports a missing deployment the way a real API server does', async () => {
    // Prepare
    const args = ['get', 'deploy', 'missing', '-n', 'demo'];

    // Act
    const r = await kubectl(kc, args);

    // Assess
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('Error from server (NotFound): deployments.apps "missing" not found');
  });
  it('follows a log with logs -f until the container exits', async () => {
    // Prepare
    await createWorkload(sim, 'w-follow');
    const pod = await sim.waitFor(() =>
      sim.list('Pod', 'demo', 'app=w-follow').find((p) => p.status?.['phase'] === 'Running')
    );
    const follow = kubectlStream(kc, ['logs', '-f', pod.metadata.name, '-n', 'demo']);
    await follow.waitForLine((l) => l.includes('MCP server listening on 0.0.0.0:3000'));

    // Act
    sim.setFault('demo', 'w-follow', 'crashloop');
    const crash = await follow.waitForLine((l) => l.includes('exiting with code 1'));
    await follow.stop();

    // Assess
    expect(crash).toMatch(/FATAL w-follow cannot start without its session store, exiting with code 1$/);
    expect(follow.lines).toContain('Error: connect ECONNREFUSED 10.10.4.7:6379');
  });
  it('rolls back with rollout undo onto the previous ReplicaSet', async () => {
    // Prepare
    await createWorkload(sim, 'w-undo');
    await kubectl(kc, ['rollout', 'status', 'deploy/w-undo', '-n', 'demo', '--timeout=60s']);
    const original = sim.list('ReplicaSet', 'demo', 'app=w-undo').map((rs) => rs.metadata.name);
    await kubectl(kc, ['set', 'image', 'deploy/w-undo', '-n', 'demo', 'server=ghcr.io/cortex-demo/w-undo:2.0.0']);
    await kubectl(kc, ['rollout', 'status', 'deploy/w-undo', '-n', 'demo', '--timeout=60s']);

    // Act
    const undo = await kubectl(kc, ['rollout', 'undo', 'deploy/w-undo', '-n', 'demo']);
    const status = await kubectl(kc, ['rollout', 'status', 'deploy/w-undo', '-n', 'demo', '--timeout=60s']);
    const rs = await kubectl(kc, ['get', 'rs', '-n', 'demo', '-l', 'app=w-undo']);

    // Assess
    expect(undo.stdout.trim()).toBe('deployment.apps/w-undo rolled back');
    expect(status.stdout).toContain('successfully rolled out');
    const rows = parseTable(rs.stdout);
    expect(rows).toHaveLength(2);
    expect(rows.find((r) => r['DESIRED'] === '1')!['NAME']).toBe(original[0]);
  });
});
