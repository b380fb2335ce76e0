import { describe, expect, it } from 'vitest';
import { createObject } from '../../../../local/kube-sim/api/write.js';
import { frozenCopy } from '../../../../local/kube-sim/immutable.js';
import { resourceForKind } from '../../../../local/kube-sim/resources.js';
import { ObjectStore } from '../../../../local/kube-sim/store.js';
import { type KubeObject, type Pod } from '../../../../local/kube-sim/types.js';

const PODS = resourceForKind('Pod');
const NAMESPACES = resourceForKind('Namespace');

const pod = (name: string, namespace = 'demo'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, uid: '', resourceVersion: '', creationTimestamp: '', labels: { app: 'a' } },
  spec: { containers: [{ name: 'app', image: 'nginx:1.25', ports: [{ containerPort: 80 }] }] }
});

describe('Kube simulator: the object store hands out one immutable copy', () => {
  it('reads share the stored object, deep-frozen: writing to it throws and changes nothing', () => {
    // Prepare
    const store = new ObjectStore();
    store.create(PODS, pod('p'));

    // Act
    const got = store.get(PODS, 'demo', 'p') as Pod;
    const listed = store.list(PODS, 'demo')[0];
    const writes = [
      () => (got.spec.nodeName = 'elsewhere'),
      () => (got.metadata.labels!['app'] = 'b'),
      () => got.spec.containers[0]!.ports!.push({ containerPort: 81 }),
      () => delete got.metadata.labels
    ];

    // Assess
    expect(listed).toBe(got);
    for (const write of writes) expect(write).toThrow(TypeError);
    expect(store.get(PODS, 'demo', 'p')).toMatchObject({ spec: { containers: [{ ports: [{ containerPort: 80 }] }] } });
    expect(got.spec.nodeName).toBeUndefined();
  });

  it("keeps none of the caller's objects: the input stays the caller's to change, and changing it changes nothing stored", () => {
    // Prepare
    const store = new ObjectStore();
    const input = pod('p');

    // Act
    const stored = store.create(PODS, input);
    (input.metadata.labels as Record<string, string>)['app'] = 'changed';
    (input.spec!['containers'] as { image: string }[])[0]!.image = 'changed';

    // Assess
    expect(Object.isFrozen(input.metadata.labels)).toBe(false);
    expect(stored.metadata.labels).toEqual({ app: 'a' });
    expect(store.get(PODS, 'demo', 'p')!.spec!['containers']).toEqual([
      { name: 'app', image: 'nginx:1.25', ports: [{ containerPort: 80 }] }
    ]);
  });

  it('an update built from the stored object copies what it changed and shares the rest', () => {
    // Prepare
    const store = new ObjectStore();
    const before = store.create(PODS, pod('p')) as Pod;
    const status = { phase: 'Running' as const, conditions: [] };

    // Act
    const after = store.update(PODS, { ...before, status }) as Pod;
    status.phase = 'Failed' as never;

    // Assess
    expect(after.spec).toBe(before.spec);
    expect(after.status).not.toBe(status);
    expect(after.status).toEqual({ phase: 'Running', conditions: [] });
    expect(Object.isFrozen(after.status!.conditions)).toBe(true);
    expect(Number(after.metadata.resourceVersion)).toBe(Number(before.metadata.resourceVersion) + 1);
    expect(store.update(PODS, { ...after })).toBe(after);
  });

  it('lists in namespace then name order through creates and deletes, and dry runs store nothing', () => {
    // Prepare
    const store = new ObjectStore();
    for (const [name, ns] of [
      ['b', 'two'],
      ['a', 'two'],
      ['c', 'one']
    ] as const)
      store.create(PODS, pod(name, ns));
    const first = store.list(PODS).map((p) => `${p.metadata.namespace}/${p.metadata.name}`);

    // Act
    store.remove(PODS, 'two', 'a');
    store.create(PODS, pod('aa', 'two'));
    store.create(PODS, pod('zz', 'one'), { dryRun: true });
    store.remove(PODS, 'one', 'c', { dryRun: true });
    const rv = store.currentRv();
    store.update(PODS, { ...store.get(PODS, 'two', 'b')!, spec: { containers: [] } }, { dryRun: true });

    // Assess
    expect(first).toEqual(['one/c', 'two/a', 'two/b']);
    expect(store.list(PODS).map((p) => `${p.metadata.namespace}/${p.metadata.name}`)).toEqual(['one/c', 'two/aa', 'two/b']);
    expect(store.list(PODS, 'two').map((p) => p.metadata.name)).toEqual(['aa', 'b']);
    expect(store.currentRv()).toBe(rv);
    expect(store.get(PODS, 'two', 'b')!.spec!['containers']).toHaveLength(1);
    expect(store.count(PODS)).toBe(3);
  });

  it('objects written through the API path are frozen too (defaults included)', () => {
    // Prepare
    const store = new ObjectStore();
    createObject(store, NAMESPACES, { metadata: { name: 'demo' } }, undefined);

    // Act
    const created = createObject(store, PODS, pod('p'), 'demo') as Pod;

    // Assess
    expect(created).toBe(store.get(PODS, 'demo', 'p'));
    expect(Object.isFrozen(created.spec.containers[0])).toBe(true);
    expect(created.spec['restartPolicy']).toBe('Always');
  });
});

describe('Kube simulator: frozenCopy', () => {
  it('copies and freezes what is not frozen, reuses what is, and leaves its input alone', () => {
    // Prepare
    const shared = frozenCopy({ deep: { list: [1, { x: 2 }] } });
    const input = { shared, own: { list: [{ y: 3 }] }, n: 1, s: 'x', nothing: null, gone: undefined };

    // Act
    const out = frozenCopy(input);

    // Assess
    expect(out).toEqual(input);
    expect(out.shared).toBe(shared);
    expect(out.own).not.toBe(input.own);
    expect(Object.isFrozen(out.own.list[0])).toBe(true);
    expect(Object.isFrozen(input.own)).toBe(false);
    expect(Object.isFrozen(shared.deep.list[1])).toBe(true);
    expect('gone' in out).toBe(true);
  });
});
