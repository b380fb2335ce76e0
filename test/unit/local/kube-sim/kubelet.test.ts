import { describe, expect, it } from 'vitest';
import { ContainerRuntime } from '../../../../local/kube-sim/kubelet/container.js';
import { type ContainerEvent, type Timing, goDuration } from '../../../../local/kube-sim/kubelet/container-types.js';
import { type PodFault } from '../../../../local/kube-sim/kubelet/faults.js';
import { appInfo } from '../../../../local/kube-sim/kubelet/logs.js';
import { buildPodStatus } from '../../../../local/kube-sim/kubelet/pod-status.js';

const timing: Timing = {
  podStartMs: 100,
  backoffBaseMs: 1000,
  crashAfterMs: 200,
  crashHoldMs: 50,
  terminationMs: 100,
  probePeriodMs: 1000
};
const T0 = Date.parse('2026-01-01T00:00:00Z');

function container(): {
  c: ContainerRuntime;
  events: ContainerEvent[];
  at: (ms: number, fault?: PodFault) => ReturnType<ContainerRuntime['status']>;
} {
  const c = new ContainerRuntime('server', 'ghcr.io/x/app:1.0', appInfo('ghcr.io/x/app:1.0', 3000), T0, timing);
  const events: ContainerEvent[] = [];
  return {
    c,
    events,
    at: (ms, fault = {}) => {
      c.advance(T0 + ms, fault, (e) => events.push(e), 'p_demo(u)');
      return c.status('p', 'demo', 'u', fault);
    }
  };
}

describe('Kube simulator: simulated container life', () => {
  it('starts after podStartMs: ContainerCreating, then running and ready', () => {
    // Prepare
    const { at, events } = container();

    // Act
    const creating = at(50);
    const running = at(100);

    // Assess
    expect(creating).toMatchObject({
      ready: false,
      started: false,
      state: { waiting: { reason: 'ContainerCreating' } },
      imageID: ''
    });
    expect(running).toMatchObject({
      ready: true,
      started: true,
      restartCount: 0,
      state: { running: { startedAt: '2026-01-01T00:00:00Z' } }
    });
    expect(running.imageID).toMatch(/^ghcr\.io\/x\/app@sha256:[0-9a-f]{64}$/);
    expect(events.map((e) => e.reason)).toEqual(['Pulled', 'Created', 'Started']);
  });

  it('crash loops: Error, immediate first restart, then CrashLoopBackOff with doubling back-off', () => {
    // Prepare
    const { at, events } = container();
    const crash: PodFault = { crash: 'error' };

    // Act
    const firstCrash = at(300, crash); // started at 100, crashes at 300
    const restarted = at(350, crash); // first restart is immediate (after the hold)
    const backoff = at(600, crash); // second crash at 550, hold until 600, then 1 s back-off
    const stillWaiting = at(1500, crash);
    const third = at(1600, crash);
    const backoff2 = at(1850, crash); // third crash at 1800, hold until 1850, then 2 s back-off

    // Assess
    expect(firstCrash).toMatchObject({
      ready: false,
      restartCount: 0,
      state: { terminated: { exitCode: 1, reason: 'Error' } }
    });
    expect(restarted).toMatchObject({
      restartCount: 1,
      state: { running: {} },
      lastState: { terminated: { exitCode: 1, reason: 'Error' } }
    });
    expect(backoff.state.waiting).toEqual({
      reason: 'CrashLoopBackOff',
      message: 'back-off 1s restarting failed container=server pod=p_demo(u)'
    });
    expect(stillWaiting.state.waiting?.reason).toBe('CrashLoopBackOff');
    expect(third).toMatchObject({ restartCount: 2, state: { running: {} } });
    expect(backoff2.state.waiting?.message).toContain('back-off 2s restarting');
    expect(events.filter((e) => e.reason === 'BackOff').map((e) => e.message)).toEqual([
      'Back-off restarting failed container server in pod p_demo(u)',
      'Back-off restarting failed container server in pod p_demo(u)'
    ]);
  });

  it('a container that ran for twice the longest back-off before it crashes starts its back-off over', () => {
    // Prepare
    const { at } = container();
    const crash: PodFault = { crash: 'error' };
    at(300, crash);
    at(350, crash);
    at(600, crash);
    at(1600, crash); // the third run, after two crashes
    at(1700); // the fault is gone; nothing looks at the container for a minute

    // Act
    const longRunCrash = at(62_000, crash);
    const afterHold = at(62_050, crash);

    // Assess
    expect(longRunCrash).toMatchObject({ restartCount: 2, state: { terminated: { reason: 'Error' } } });
    expect(afterHold).toMatchObject({ restartCount: 3, state: { running: {} } });
  });

  it('OOMKilled: exit 137 shown as state, then as lastState during back-off', () => {
    // Prepare
    const { at, c } = container();
    const oom: PodFault = { crash: 'oom' };

    // Act
    const killed = at(300, oom);
    at(350, oom);
    at(550, oom);
    const waiting = at(600, oom);

    // Assess
    expect(killed.state.terminated).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
    expect(waiting).toMatchObject({
      state: { waiting: { reason: 'CrashLoopBackOff' } },
      lastState: { terminated: { exitCode: 137, reason: 'OOMKilled' } }
    });
    expect(c.logRun(true)?.lines.map((l) => l.text)).toContain(
      'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory'
    );
  });

  it('image pull failures alternate ErrImagePull and ImagePullBackOff naming the image, then recover', () => {
    // Prepare
    const { at, events } = container();
    const pull: PodFault = { imagePull: true };

    // Act
    const err = at(100, pull);
    const back = at(200, pull);
    const healed = at(1200);

    // Assess
    expect(err.state.waiting?.reason).toBe('ErrImagePull');
    expect(err.state.waiting?.message).toContain('failed to pull and unpack image "ghcr.io/x/app:1.0"');
    expect(back.state.waiting).toEqual({
      reason: 'ImagePullBackOff',
      message: 'Back-off pulling image "ghcr.io/x/app:1.0"'
    });
    expect(healed).toMatchObject({ ready: true, state: { running: {} } });
    expect(events.map((e) => e.message)).toContain('Error: ImagePullBackOff');
  });

  it('not-ready: running but not ready, with an Unhealthy event per probe period', () => {
    // Prepare
    const { at, events } = container();
    const unready: PodFault = { notReady: true };

    // Act
    at(100, unready);
    at(1100, unready);
    const s = at(2100, unready);

    // Assess
    expect(s).toMatchObject({ ready: false, started: true, state: { running: {} } });
    expect(events.filter((e) => e.reason === 'Unhealthy')).toHaveLength(3);
  });

  it('formats back-off durations like Go', () => {
    // Prepare
    const values = [400, 10_000, 80_000, 300_000];

    // Act
    const out = values.map(goDuration);

    // Assess
    expect(out).toEqual(['400ms', '10s', '1m20s', '5m0s']);
  });
});

describe('Kube simulator: container logs and dependencies', () => {
  const down: PodFault = {
    crash: 'dependency',
    dependencies: [
      {
        ref: { namespace: 'demo', service: 'postgres', port: 5432 },
        host: 'postgres.demo.svc.cluster.local',
        port: 5432,
        ip: '10.96.0.15',
        error: 'ECONNREFUSED'
      }
    ]
  };
  const up: PodFault = { dependencies: [{ ...down.dependencies![0]!, error: undefined }] };
  const text = (c: ContainerRuntime, previous = false): string[] => c.logRun(previous)?.lines.map((l) => l.text) ?? [];

  it('a dependency down: exit 1 naming the ClusterIP and port, then CrashLoopBackOff like any crash', () => {
    // Prepare
    const { at, c } = container();

    // Act
    at(100, down); // starts, connects, gives up after crashAfterMs
    const crashed = at(300, down);
    const log = text(c);
    at(350, down);
    const backoff = at(600, down);

    // Assess
    expect(crashed.state.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    expect(backoff.state.waiting?.reason).toBe('CrashLoopBackOff');
    expect(text(c, true)).toContain('Error: connect ECONNREFUSED 10.96.0.15:5432');
    expect(log).toContain('2026-01-01T00:00:00.100Z INFO  connecting to postgres at postgres.demo.svc.cluster.local:5432');
    expect(log).toContain(
      '2026-01-01T00:00:00.300Z ERROR failed to connect to postgres at postgres.demo.svc.cluster.local:5432'
    );
    expect(log).toContain('Error: connect ECONNREFUSED 10.96.0.15:5432');
    expect(log).toContain("  address: '10.96.0.15',");
    expect(log.at(-1)).toBe(
      '2026-01-01T00:00:00.300Z FATAL app cannot start without its database postgres, exiting with code 1'
    );
  });

  it('a dependency back within the retry window: no crash; seen down in the same pass as the start: no crash yet', () => {
    // Prepare
    const late = container();
    const back = container();

    // Act
    // The kubelet catches up long after the start: the dependency it sees may be stale, so the crash waits a tick.
    const caughtUp = late.at(5000, down);
    const nextTick = late.at(5000, up);
    back.at(100, down);
    const recovered = back.at(300, up);

    // Assess
    expect(caughtUp).toMatchObject({ ready: false, state: { running: {} }, restartCount: 0 });
    expect(nextTick).toMatchObject({ ready: true, state: { running: {} }, restartCount: 0 });
    expect(recovered).toMatchObject({ ready: true, restartCount: 0 });
    expect(back.c.nextDue()).toBeUndefined();
  });

  it('a dependency that cannot be resolved or reached: getaddrinfo ENOTFOUND, connect ETIMEDOUT', () => {
    // Prepare
    const notFound = container();
    const timedOut = container();
    const dep = down.dependencies![0]!;

    // Act
    const unresolved: PodFault = { crash: 'dependency', dependencies: [{ ...dep, ip: undefined, error: 'ENOTFOUND' }] };
    const unanswered: PodFault = { crash: 'dependency', dependencies: [{ ...dep, port: 5433, error: 'ETIMEDOUT' }] };
    for (const t of [100, 300]) {
      notFound.at(t, unresolved);
      timedOut.at(t, unanswered);
    }

    // Assess
    expect(text(notFound.c)).toContain('Error: getaddrinfo ENOTFOUND postgres.demo.svc.cluster.local');
    expect(text(notFound.c)).toContain("  code: 'ENOTFOUND',");
    expect(text(timedOut.c)).toContain('Error: connect ETIMEDOUT 10.96.0.15:5433');
  });

  it('planted lines follow the start-up lines and come before the crash', () => {
    // Prepare
    const { at, c } = container();
    const planted: PodFault = { logLines: ['password=hunter2', '-----BEGIN PRIVATE KEY-----'] };

    // Act
    at(100, planted);
    at(300, { ...planted, crash: 'error' });

    // Assess
    const log = text(c);
    expect(log.filter((l) => l === 'password=hunter2')).toHaveLength(2);
    const crashAt = log.findIndex((l) => l.includes(' ERROR '));
    expect(log.slice(crashAt - 2, crashAt)).toEqual(['password=hunter2', '-----BEGIN PRIVATE KEY-----']);
    expect(log[log.indexOf('password=hunter2') - 1]).toMatch(/MCP server listening/);
  });

  it('the plain crash loop names an address outside the cluster, no Service', () => {
    // Prepare
    const { at, c } = container();

    // Act
    at(300, { crash: 'error' });

    // Assess
    const log = text(c).join('\n');
    expect(log).toContain('Error: connect ECONNREFUSED 10.10.4.7:6379');
    expect(log).toMatch(/FATAL app cannot start without its session store, exiting with code 1$/);
    expect(log).not.toMatch(/10\.96\.|postgres/);
  });

  it('a postgres image writes postgres log lines', () => {
    // Prepare
    const c = new ContainerRuntime(
      'server',
      'docker.io/library/postgres:16.4',
      appInfo('docker.io/library/postgres:16.4', 5432),
      T0,
      timing
    );

    // Act
    c.advance(T0 + 100, {}, () => undefined);
    c.stop(T0 + 200);

    // Assess
    expect(text(c)).toEqual([
      '2026-01-01 00:00:00.100 UTC [1] LOG:  starting PostgreSQL 16.4 on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14) 12.2.0, 64-bit',
      '2026-01-01 00:00:00.100 UTC [1] LOG:  listening on IPv4 address "0.0.0.0", port 5432',
      '2026-01-01 00:00:00.100 UTC [1] LOG:  listening on Unix socket "/var/run/postgresql/.s.PGSQL.5432"',
      '2026-01-01 00:00:00.100 UTC [28] LOG:  database system was shut down at 2025-12-31 23:59:00.100 UTC',
      '2026-01-01 00:00:00.100 UTC [1] LOG:  database system is ready to accept connections',
      '2026-01-01 00:00:00.200 UTC [1] LOG:  received fast shutdown request',
      '2026-01-01 00:00:00.200 UTC [1] LOG:  aborting any active transactions',
      '2026-01-01 00:00:00.200 UTC [1] LOG:  database system is shut down'
    ]);
  });
});

describe('Kube simulator: pod status shapes', () => {
  it('a Running pod with an unready container has Ready False / ContainersNotReady', () => {
    // Prepare
    const { at } = container();
    const containers = [at(300, { crash: 'error' })];

    // Act
    const status = buildPodStatus({
      containers,
      scheduledAt: T0,
      readyTransitionAt: T0,
      hostIP: '172.18.0.2',
      podIP: '10.244.0.4',
      anyStarted: true
    });

    // Assess
    expect(status.phase).toBe('Running');
    expect(status.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Initialized', 'True', undefined],
      ['Ready', 'False', 'ContainersNotReady'],
      ['ContainersReady', 'False', 'ContainersNotReady'],
      ['PodScheduled', 'True', undefined]
    ]);
    expect(status.conditions?.[1]?.message).toBe('containers with unready status: [server]');
    expect(status.podIPs).toEqual([{ ip: '10.244.0.4' }]);
  });

  it('an evicted pod is Failed/Evicted with a DisruptionTarget condition', () => {
    // Prepare
    const { c } = container();
    c.evict(T0 + 500, 'The node was low on resource: memory. ');

    // Act
    const status = buildPodStatus({
      containers: [c.status('p', 'demo', 'u', {})],
      scheduledAt: T0,
      readyTransitionAt: T0,
      hostIP: 'h',
      podIP: 'i',
      anyStarted: true,
      evicted: { at: T0 + 500, message: 'The node was low on resource: memory. ' }
    });

    // Assess
    expect(status).toMatchObject({ phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory. ' });
    expect(status.conditions?.[0]).toMatchObject({
      type: 'DisruptionTarget',
      status: 'True',
      reason: 'TerminationByKubelet'
    });
    expect(status.containerStatuses?.[0]?.state.terminated).toMatchObject({ exitCode: 137, reason: 'Evicted' });
  });
});
