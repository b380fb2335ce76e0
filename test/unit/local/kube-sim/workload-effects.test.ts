import { describe, expect, it } from 'vitest';
import { podTemplateHash } from '../../../../local/kube-sim/controllers/template-hash.js';
import { WorkloadEffects, combineFaults, plantedLines } from '../../../../local/kube-sim/kubelet/workload-effects.js';
import { type Deployment, type KubeObject, type Service } from '../../../../local/kube-sim/types.js';

const template = (restartedAt?: string) => ({
  metadata: {
    labels: { app: 'w' },
    ...(restartedAt ? { annotations: { 'kubectl.kubernetes.io/restartedAt': restartedAt } } : {})
  },
  spec: { containers: [{ name: 'server', image: 'ghcr.io/x/w:1.0' }] }
});
const deployment = (annotations: Record<string, string>, restartedAt?: string): Deployment => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'w', namespace: 'demo', uid: 'd-1', resourceVersion: '1', creationTimestamp: '', annotations },
  spec: { replicas: 1, selector: { matchLabels: { app: 'w' } }, template: template(restartedAt) }
});
const podOf = (hash: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: `w-${hash}-x`,
    namespace: 'demo',
    uid: `p-${hash}`,
    resourceVersion: '1',
    creationTimestamp: '',
    labels: { app: 'w', 'pod-template-hash': hash }
  }
});
const postgres: Service = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'postgres', namespace: 'demo', uid: 's', resourceVersion: '1', creationTimestamp: '' },
  spec: { clusterIP: '10.96.0.15', ports: [{ port: 5432 }] }
};

describe('Kube simulator: workload annotations', () => {
  it('planted lines: \\n separates lines, \\\\ is a backslash, real line breaks count too', () => {
    // Prepare
    const values = ['password=hunter2\\nAuthorization: Bearer abc', 'C:\\\\temp\\\\new', 'a\r\nb\n', '', undefined];

    // Act
    const out = values.map(plantedLines);

    // Assess
    expect(out).toEqual([['password=hunter2', 'Authorization: Bearer abc'], ['C:\\temp\\new'], ['a', 'b'], [], []]);
  });

  it('combines two effects: the first crash wins, the rest adds up', () => {
    // Prepare
    const a = { crash: 'oom' as const, logLines: ['a'] };
    const b = { crash: 'dependency' as const, notReady: true, staleEndpoints: true, logLines: ['b'] };

    // Act
    const both = combineFaults(a, b);
    const onlyB = combineFaults({}, b);

    // Assess
    expect(both).toEqual({ crash: 'oom', notReady: true, staleEndpoints: true, logLines: ['a', 'b'] });
    expect(onlyB).toEqual(b);
  });

  it('fault-on-new-template: pods of the template the Deployment had when it was set stay healthy, others get the fault', () => {
    // Prepare
    const effects = new WorkloadEffects();
    const original = podTemplateHash(template());
    const restarted = podTemplateHash(template('2026-01-01T00:00:00Z'));

    // Act
    effects.observe([deployment({ 'sim.cortex.dev/fault-on-new-template': 'crashloop' })], [], []);
    // A rollout restart changes the template; the original stays the one recorded.
    effects.observe([deployment({ 'sim.cortex.dev/fault-on-new-template': 'crashloop' }, '2026-01-01T00:00:00Z')], [], []);
    const onOriginal = effects.forPod(podOf(original), 'd-1');
    const onNew = effects.forPod(podOf(restarted), 'd-1');

    // Assess
    expect(original).not.toBe(restarted);
    expect(onOriginal).toEqual({});
    expect(onNew).toEqual({ crash: 'error' });
  });

  it('fault-on-new-template: cleared with the annotation, recorded afresh when set again; image-pull and not-ready', () => {
    // Prepare
    const effects = new WorkloadEffects();
    const restarted = podTemplateHash(template('t1'));
    effects.observe([deployment({ 'sim.cortex.dev/fault-on-new-template': 'image-pull' })], [], []);
    const before = effects.forPod(podOf(restarted), 'd-1');

    // Act
    effects.observe([deployment({}, 't1')], [], []);
    const cleared = effects.forPod(podOf(restarted), 'd-1');
    effects.observe([deployment({ 'sim.cortex.dev/fault-on-new-template': 'not-ready' }, 't1')], [], []);
    const again = effects.forPod(podOf(restarted), 'd-1');
    const other = effects.forPod(podOf(podTemplateHash(template())), 'd-1');

    // Assess
    expect(before).toEqual({ imagePull: true });
    expect(cleared).toEqual({});
    expect(again).toEqual({});
    expect(other).toEqual({ notReady: true });
  });

  it('depends-on: a crash while a dependency is down, the dependencies for the log either way; planted lines', () => {
    // Prepare
    const effects = new WorkloadEffects();
    const d = deployment({ 'sim.cortex.dev/depends-on': 'postgres', 'sim.cortex.dev/log-line': 'token=abc' });
    const ready: KubeObject = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'postgres', namespace: 'demo', uid: '', resourceVersion: '1', creationTimestamp: '' },
      subsets: [{ addresses: [{ ip: '10.244.0.9' }] }]
    };

    // Act
    effects.observe([d], [postgres], []);
    const down = effects.forPod(podOf('h'), 'd-1');
    effects.observe([d], [postgres], [ready]);
    const up = effects.forPod(podOf('h'), 'd-1');
    const stranger = effects.forPod(podOf('h'), undefined);

    // Assess
    expect(down).toMatchObject({
      crash: 'dependency',
      dependencies: [{ host: 'postgres.demo.svc.cluster.local', ip: '10.96.0.15', port: 5432, error: 'ECONNREFUSED' }],
      logLines: ['token=abc']
    });
    expect(up.crash).toBeUndefined();
    expect(up.dependencies?.[0]?.error).toBeUndefined();
    expect(stranger).toEqual({});
  });

  it('reports values that mean nothing once per deployment and value', () => {
    // Prepare
    const effects = new WorkloadEffects();
    const heard: string[] = [];
    const d = deployment({ 'sim.cortex.dev/depends-on': 'postgres,Nope!', 'sim.cortex.dev/fault-on-new-template': 'oom' });

    // Act
    effects.observe([d], [], [], (_d, annotation, value) => heard.push(`${annotation}=${value}`));
    effects.observe([d], [], [], (_d, annotation, value) => heard.push(`${annotation}=${value}`));
    const effect = effects.forPod(podOf('other'), 'd-1');

    // Assess
    expect(heard).toEqual(['sim.cortex.dev/depends-on=Nope!', 'sim.cortex.dev/fault-on-new-template=oom']);
    expect(effect.crash).toBe('dependency');
  });
});
