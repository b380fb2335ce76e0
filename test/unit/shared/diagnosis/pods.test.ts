import { describe, expect, it } from 'vitest';
import {
  countByStatus,
  describePod,
  faultLabel,
  hasFault,
  isCrashLooping,
  isOomKilled,
  podState
} from '../../../../shared/diagnosis/pods.js';
import { pod, type PodShape } from '../../../helpers/check-cluster.js';

describe('Diagnosis: pod state', () => {
  it.each<[PodShape, string, boolean, boolean, boolean, boolean]>([
    // shape, STATUS column, ready, active, failed, fault
    ['ready', 'Running', true, true, false, false],
    ['crashloop', 'CrashLoopBackOff', false, true, false, true],
    ['oom', 'CrashLoopBackOff', false, true, false, true],
    ['oom-just-killed', 'OOMKilled', false, true, false, true],
    ['restarting', 'Running', false, true, false, true],
    ['image-pull', 'ImagePullBackOff', false, true, false, true],
    ['err-image-pull', 'ErrImagePull', false, true, false, true],
    ['config-error', 'CreateContainerConfigError', false, true, false, true],
    ['creating', 'ContainerCreating', false, true, false, false],
    ['not-ready', 'Running', false, true, false, false],
    ['unschedulable', 'Unschedulable', false, true, false, true],
    ['evicted', 'Evicted', false, false, true, true],
    ['failed', 'containerFailed', false, false, true, true]
  ])('reads %s as %s', (shape, status, ready, active, failed, fault) => {
    // Act
    const s = podState(pod('abcde', shape));
    // Assess
    expect({ status: s.status, ready: s.ready, active: s.active, failed: s.failed, fault: hasFault(s) }).toEqual({
      status,
      ready,
      active,
      failed,
      fault
    });
  });

  it('shows Terminating for a pod being deleted and does not count it as active', () => {
    // Act
    const s = podState(pod('bye01', 'ready', { terminating: true }));
    // Assess
    expect(s).toMatchObject({ status: 'Terminating', active: false });
  });

  it('describes a crash-looping pod for evidence and sees OOM kills', () => {
    // Prepare
    const crash = podState(pod('c1', 'crashloop'));
    const oom = podState(pod('o1', 'oom'));
    // Act
    const text = describePod(crash);
    // Assess
    expect(text).toBe(
      'Running, CrashLoopBackOff, not ready, 5 restarts; server: waiting CrashLoopBackOff (back-off 2m40s restarting failed container=server pod=mcp-demo-7d4b9c8f6-c1_demo(uid-mcp-demo-7d4b9c8f6-c1)), last run Error exit 1'
    );
    expect(isOomKilled(oom.containers[0]!)).toBe(true);
    expect(isOomKilled(crash.containers[0]!)).toBe(false);
  });

  it.each<[PodShape, string, boolean]>([
    ['crashloop', 'CrashLoopBackOff', true],
    ['restarting', 'restarting after Error', true],
    ['oom', 'CrashLoopBackOff after OOMKilled', true],
    ['oom-just-killed', 'OOMKilled', false],
    ['image-pull', 'ImagePullBackOff', false],
    ['not-ready', 'Running', false]
  ])('labels a %s pod "%s" (crash-looping: %s)', (shape, label, looping) => {
    // Act
    const s = podState(pod('lbl01', shape));
    // Assess
    expect({ label: faultLabel(s), looping: isCrashLooping(s) }).toEqual({ label, looping });
  });

  it('counts pods by status, most frequent first', () => {
    // Prepare
    const states = (['crashloop', 'ready', 'crashloop'] as const).map((s, i) => podState(pod(`p${i}`, s)));
    // Act
    const text = countByStatus(states);
    // Assess
    expect(text).toBe('2 CrashLoopBackOff, 1 Running');
  });

  it('survives a pod with no status at all', () => {
    // Act
    const s = podState({ metadata: { name: 'bare' } });
    // Assess
    expect(s).toMatchObject({
      name: 'bare',
      phase: 'Unknown',
      status: 'Unknown',
      ready: false,
      restarts: 0,
      containers: []
    });
  });
});
