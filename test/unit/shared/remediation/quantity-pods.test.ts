import { describe, expect, it } from 'vitest';
import { imagePullProblems, isCrashLooping, isFailed, oomKilledContainers } from '../../../../shared/remediation/pods.js';
import { formatMemory, parseMemory } from '../../../../shared/kube/quantity.js';
import { crashLooping, evicted, oomKilled, pod, pullingFails, running } from '../../../helpers/remediation-cluster.js';

const now = new Date('2026-11-27T10:00:00Z');

describe('Remediation: memory quantities', () => {
  it.each([
    ['128Mi', 134217728],
    ['1.5Gi', 1.5 * 2 ** 30],
    ['500M', 5e8],
    ['134217728', 134217728],
    ['129e6', 129e6],
    ['2Ki', 2048],
    [' 64Mi ', 64 * 2 ** 20],
    ['0', undefined],
    ['-1Gi', undefined],
    ['lots', undefined],
    ['12 Mi', undefined],
    [undefined, undefined]
  ])('parses %s → %s bytes', (text, bytes) => {
    // Act
    const parsed = parseMemory(text);
    // Assess
    expect(parsed).toBe(bytes);
  });

  it.each([
    [268435456, '256Mi'],
    [3 * 2 ** 30, '3Gi'],
    [1e9, '1G'],
    [1536, '1536'],
    [2048, '2Ki'],
    [1001, '1001']
  ])('formats %i bytes as %s', (bytes, text) => {
    // Act
    const formatted = formatMemory(bytes);
    // Assess
    expect(formatted).toBe(text);
  });
});

describe('Remediation: pod states', () => {
  it.each([
    ['waiting in CrashLoopBackOff', pod('p', { containers: [crashLooping()] }), true],
    ['running and ready, never restarted', pod('p', { containers: [running()] }), false],
    [
      'restarted often, running, but crashed 30 s ago',
      pod('p', {
        containers: [
          {
            ...running('server', 6),
            lastState: { terminated: { exitCode: 1, finishedAt: new Date('2026-11-27T09:59:30Z') } }
          }
        ]
      }),
      true
    ],
    [
      'restarted often, stable for an hour',
      pod('p', {
        containers: [
          {
            ...running('server', 6),
            lastState: { terminated: { exitCode: 1, finishedAt: new Date('2026-11-27T09:00:00Z') } }
          }
        ]
      }),
      false
    ],
    ['restarted often, not ready', pod('p', { containers: [{ ...running('server', 3), ready: false }] }), true],
    ['two restarts, not ready', pod('p', { containers: [{ ...running('server', 2), ready: false }] }), false],
    [
      'running again, not ready, after one failed run (between two back-offs)',
      pod('p', { containers: [{ ...running('server', 1), ready: false, lastState: { terminated: { exitCode: 1 } } }] }),
      true
    ],
    [
      'just crashed again after a restart',
      pod('p', {
        containers: [{ ...running('server', 1), ready: false, state: { terminated: { exitCode: 1, reason: 'Error' } } }]
      }),
      true
    ],
    [
      'first run ended with exit 0 (a completed container)',
      pod('p', {
        containers: [{ ...running('server', 1), ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } }]
      }),
      false
    ],
    [
      'crashlooping but already terminating',
      { ...pod('p', { containers: [crashLooping()] }), metadata: { name: 'p', deletionTimestamp: now } },
      false
    ],
    ['evicted', evicted('p'), false]
  ])('isCrashLooping: %s → %s', (_n, p, expected) => {
    // Act
    const result = isCrashLooping(p, now);
    // Assess
    expect(result).toBe(expected);
  });

  it('isFailed: phase Failed only, not while terminating', () => {
    // Prepare
    const pods = [
      evicted('a'),
      pod('b', { phase: 'Failed', reason: 'Error' }),
      pod('c'),
      { ...evicted('d'), metadata: { name: 'd', deletionTimestamp: now } }
    ];
    // Act
    const failed = pods.filter(isFailed).map((p) => p.metadata?.name);
    // Assess
    expect(failed).toEqual(['a', 'b']);
  });

  it('finds image pull errors and OOM kills per container', () => {
    // Prepare
    const pods = [
      pod('a', { containers: [pullingFails()] }),
      pod('b', { containers: [oomKilled(), running('sidecar')] }),
      pod('c', { containers: [oomKilled()] })
    ];
    // Act
    const pulls = imagePullProblems(pods);
    const ooms = oomKilledContainers(pods);
    // Assess
    expect(pulls).toEqual([
      {
        pod: 'a',
        container: 'server',
        image: 'ghcr.io/cortex-demo/api:9.9.9',
        reason: 'ImagePullBackOff',
        message: 'Back-off pulling image "ghcr.io/cortex-demo/api:9.9.9"'
      }
    ]);
    expect([...ooms]).toEqual([['server', 2]]);
  });
});
