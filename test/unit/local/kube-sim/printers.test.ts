import { describe, expect, it } from 'vitest';
import { humanDuration, podColumns } from '../../../../local/kube-sim/printers.js';
import { toTable } from '../../../../local/kube-sim/tables.js';
import { type ContainerStatus, type KubeObject, type Pod } from '../../../../local/kube-sim/types.js';

const cs = (over: Partial<ContainerStatus>): ContainerStatus => ({
  name: 'server',
  image: 'img',
  imageID: '',
  ready: false,
  started: false,
  restartCount: 0,
  state: {},
  lastState: {},
  ...over
});

const pod = (status: Pod['status'], extra: Partial<Pod['metadata']> = {}, containers = 1): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'p',
    namespace: 'demo',
    uid: 'u',
    resourceVersion: '1',
    creationTimestamp: '2026-01-01T00:00:00Z',
    ...extra
  },
  spec: {
    containers: Array.from({ length: containers }, (_, i) => ({ name: `c${i}`, image: 'img' })),
    nodeName: 'sim-node-1'
  },
  status
});

describe('Kube simulator: the STATUS column (printPod)', () => {
  it.each([
    [
      'Running and ready',
      pod({ phase: 'Running', containerStatuses: [cs({ ready: true, state: { running: {} } })] }),
      '1/1',
      'Running',
      0
    ],
    [
      'ContainerCreating',
      pod({ phase: 'Pending', containerStatuses: [cs({ state: { waiting: { reason: 'ContainerCreating' } } })] }),
      '0/1',
      'ContainerCreating',
      0
    ],
    [
      'CrashLoopBackOff',
      pod({
        phase: 'Running',
        containerStatuses: [
          cs({
            restartCount: 5,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
            lastState: { terminated: { exitCode: 1, reason: 'Error' } }
          })
        ]
      }),
      '0/1',
      'CrashLoopBackOff',
      5
    ],
    [
      'OOMKilled right after the kill',
      pod({
        phase: 'Running',
        containerStatuses: [cs({ restartCount: 2, state: { terminated: { exitCode: 137, reason: 'OOMKilled' } } })]
      }),
      '0/1',
      'OOMKilled',
      2
    ],
    [
      'ImagePullBackOff',
      pod({ phase: 'Pending', containerStatuses: [cs({ state: { waiting: { reason: 'ImagePullBackOff' } } })] }),
      '0/1',
      'ImagePullBackOff',
      0
    ],
    [
      'Evicted',
      pod({
        phase: 'Failed',
        reason: 'Evicted',
        containerStatuses: [cs({ state: { terminated: { exitCode: 137, reason: 'Evicted' } } })]
      }),
      '0/1',
      'Evicted',
      0
    ],
    [
      'exit code without reason',
      pod({ phase: 'Running', containerStatuses: [cs({ state: { terminated: { exitCode: 2 } } })] }),
      '0/1',
      'ExitCode:2',
      0
    ],
    [
      'signal without reason',
      pod({ phase: 'Running', containerStatuses: [cs({ state: { terminated: { exitCode: 0, signal: 9 } } })] }),
      '0/1',
      'Signal:9',
      0
    ],
    ['no container statuses', pod({ phase: 'Pending' }), '0/1', 'Pending', 0],
    [
      'two containers: the first in reverse order wins, restarts add up',
      pod(
        {
          phase: 'Running',
          containerStatuses: [
            cs({ name: 'c0', restartCount: 1, state: { waiting: { reason: 'CrashLoopBackOff' } } }),
            cs({ name: 'c1', ready: true, restartCount: 2, state: { running: {} } })
          ]
        },
        {},
        2
      ),
      '1/2',
      'CrashLoopBackOff',
      3
    ],
    [
      'terminating',
      pod(
        { phase: 'Running', containerStatuses: [cs({ ready: true, state: { running: {} } })] },
        { deletionTimestamp: '2026-01-01T00:01:00Z' }
      ),
      '1/1',
      'Terminating',
      0
    ],
    [
      'init container waiting',
      {
        ...pod({
          phase: 'Pending',
          initContainerStatuses: [cs({ name: 'init', state: { waiting: { reason: 'PodInitializing' } } })]
        }),
        spec: { containers: [{ name: 'c0', image: 'i' }], initContainers: [{ name: 'init', image: 'i' }] }
      },
      '0/1',
      'Init:0/1',
      0
    ]
  ])('%s', (_name, p, ready, status, restarts) => {
    // Prepare
    const input = p as Pod;

    // Act
    const cols = podColumns(input);

    // Assess
    expect(cols).toEqual({ ready, status, restarts });
  });
});

describe('Kube simulator: ages and tables', () => {
  it.each([
    [0, '0s'],
    [119_000, '119s'],
    [125_000, '2m5s'],
    [600_000, '10m'],
    [3 * 3600_000 + 5 * 60_000, '3h5m'],
    [30 * 3600_000, '30h'],
    [3 * 86400_000 + 4 * 3600_000, '3d4h'],
    [20 * 86400_000, '20d'],
    [-5000, '<invalid>']
  ])('humanDuration(%d) = %s', (ms, text) => {
    // Prepare
    const input = ms;

    // Act
    const out = humanDuration(input);

    // Assess
    expect(out).toBe(text);
  });

  it('prints pods as a Table with wide columns and PartialObjectMetadata rows', () => {
    // Prepare
    const p = pod(
      { phase: 'Running', podIP: '10.244.0.5', containerStatuses: [cs({ ready: true, state: { running: {} } })] },
      { labels: { app: 'x' } }
    );
    const now = Date.parse('2026-01-01T00:02:05Z');

    // Act
    const t = toTable('Pod', [p], '42', now);

    // Assess
    expect(t.columnDefinitions.map((c) => `${c.name}:${c.priority}`)).toEqual([
      'Name:0',
      'Ready:0',
      'Status:0',
      'Restarts:0',
      'Age:0',
      'IP:1',
      'Node:1',
      'Nominated Node:1',
      'Readiness Gates:1'
    ]);
    expect(t.rows[0]!.cells).toEqual(['p', '1/1', 'Running', 0, '2m5s', '10.244.0.5', 'sim-node-1', '<none>', '<none>']);
    expect(t.rows[0]!.object).toEqual({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: p.metadata });
    expect(t.metadata.resourceVersion).toBe('42');
  });

  it('prints deployments and events with the API server columns', () => {
    // Prepare
    const now = Date.parse('2026-01-01T00:00:30Z');
    const d = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', creationTimestamp: '2026-01-01T00:00:00Z' },
      spec: {
        replicas: 2,
        template: { spec: { containers: [{ name: 's', image: 'i:1' }] } },
        selector: { matchLabels: { app: 'd' } }
      },
      status: { readyReplicas: 1, updatedReplicas: 2, availableReplicas: 1 }
    } as unknown as KubeObject;
    const e = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'p.1' },
      involvedObject: { kind: 'Pod', name: 'p' },
      type: 'Warning',
      reason: 'BackOff',
      message: 'Back-off ',
      source: { component: 'kubelet', host: 'n' },
      firstTimestamp: '2026-01-01T00:00:00Z',
      lastTimestamp: '2026-01-01T00:00:20Z',
      count: 4
    } as unknown as KubeObject;

    // Act
    const dt = toTable('Deployment', [d], '1', now);
    const et = toTable('Event', [e], '1', now);

    // Assess
    expect(dt.rows[0]!.cells).toEqual(['d', '1/2', 2, 1, '30s', 's', 'i:1', 'app=d']);
    expect(et.columnDefinitions.filter((c) => c.priority === 0).map((c) => c.name)).toEqual([
      'Last Seen',
      'Type',
      'Reason',
      'Object',
      'Message'
    ]);
    expect(et.rows[0]!.cells).toEqual(['10s', 'Warning', 'BackOff', 'pod/p', '', 'kubelet, n', 'Back-off', '30s', 4, 'p.1']);
  });
});
