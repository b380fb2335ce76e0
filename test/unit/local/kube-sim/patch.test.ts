import { describe, expect, it } from 'vitest';
import { PatchError, jsonPatch, mergeKeyFor, mergePatch, strategicMergePatch } from '../../../../local/kube-sim/patch.js';

const deployment = {
  metadata: { name: 'd', labels: { app: 'd', old: 'x' }, finalizers: ['a'] },
  spec: {
    replicas: 1,
    template: {
      metadata: { annotations: { keep: 'me' } },
      spec: {
        containers: [
          {
            name: 'server',
            image: 'img:1',
            ports: [{ containerPort: 3000, protocol: 'TCP' }],
            env: [{ name: 'A', value: '1' }]
          },
          { name: 'sidecar', image: 'side:1' }
        ]
      }
    }
  },
  status: {
    conditions: [
      { type: 'Available', status: 'True' },
      { type: 'Progressing', status: 'True' }
    ]
  }
};

describe('Kube simulator: merge patch (RFC 7386)', () => {
  it('merges objects, deletes on null and replaces lists', () => {
    // Prepare
    const patch = {
      metadata: { labels: { old: null, tier: 'web' } },
      spec: { template: { spec: { containers: [{ name: 'only' }] } } }
    };

    // Act
    const out = mergePatch(deployment, patch) as typeof deployment;

    // Assess
    expect(out.metadata.labels).toEqual({ app: 'd', tier: 'web' });
    expect(out.spec.template.spec.containers).toEqual([{ name: 'only' }]);
    expect(out.spec.replicas).toBe(1);
    expect(deployment.metadata.labels.old).toBe('x');
  });
});

describe('Kube simulator: strategic merge patch', () => {
  it('merges containers by name and keeps the untouched ones', () => {
    // Prepare
    const patch = { spec: { template: { spec: { containers: [{ name: 'server', image: 'img:2' }] } } } };

    // Act
    const out = strategicMergePatch(deployment, patch) as typeof deployment;

    // Assess
    expect(out.spec.template.spec.containers).toEqual([
      { ...deployment.spec.template.spec.containers[0], image: 'img:2' },
      deployment.spec.template.spec.containers[1]
    ]);
  });

  it('adds the restartedAt annotation of kubectl rollout restart without losing others', () => {
    // Prepare
    const patch = {
      spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-27T23:12:52Z' } } } }
    };

    // Act
    const out = strategicMergePatch(deployment, patch) as typeof deployment;

    // Assess
    expect(out.spec.template.metadata.annotations).toEqual({
      keep: 'me',
      'kubectl.kubernetes.io/restartedAt': '2026-11-27T23:12:52Z'
    });
  });

  it('merges env by name, ports by containerPort, conditions by type; honours $patch delete and replace', () => {
    // Prepare
    const patch = {
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'server',
                env: [
                  { name: 'B', value: '2' },
                  { name: 'A', value: '9' }
                ],
                ports: [{ containerPort: 3000, name: 'http' }]
              },
              { name: 'sidecar', $patch: 'delete' }
            ]
          }
        }
      },
      status: { conditions: [{ type: 'Available', status: 'False' }] },
      metadata: { finalizers: ['b'], labels: { $patch: 'replace', only: 'this' } }
    };

    // Act
    const out = strategicMergePatch(deployment, patch) as typeof deployment & {
      metadata: { labels: Record<string, string> };
    };

    // Assess
    const server = out.spec.template.spec.containers[0]!;
    expect(out.spec.template.spec.containers).toHaveLength(1);
    expect(server.env).toEqual([
      { name: 'A', value: '9' },
      { name: 'B', value: '2' }
    ]);
    expect(server.ports).toEqual([{ containerPort: 3000, protocol: 'TCP', name: 'http' }]);
    expect(out.status.conditions).toEqual([
      { type: 'Available', status: 'False' },
      { type: 'Progressing', status: 'True' }
    ]);
    expect(out.metadata.finalizers).toEqual(['a', 'b']);
    expect(out.metadata.labels).toEqual({ only: 'this' });
  });

  it('ignores $setElementOrder and honours $deleteFromPrimitiveList as kubectl apply sends them', () => {
    // Prepare
    const patch = {
      metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] },
      spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'server' }] } } }
    };

    // Act
    const out = strategicMergePatch(deployment, patch) as typeof deployment;

    // Assess
    expect(out.metadata.finalizers).toEqual([]);
    expect(out.spec.template.spec.containers.map((c) => c.name)).toEqual(['server', 'sidecar']);
  });

  it('knows the merge keys of the Kubernetes types', () => {
    // Prepare
    const paths = [
      ['spec', 'template', 'spec', 'containers'],
      ['spec', 'containers', 'ports'],
      ['spec', 'ports'],
      ['status', 'conditions'],
      ['spec', 'tolerations']
    ];

    // Act
    const keys = paths.map(mergeKeyFor);

    // Assess
    expect(keys).toEqual(['name', 'containerPort', 'port', 'type', undefined]);
  });
});

describe('Kube simulator: JSON patch (RFC 6902)', () => {
  it('applies add, replace, remove, move, copy and test', () => {
    // Prepare
    const ops = [
      { op: 'test', path: '/spec/replicas', value: 1 },
      { op: 'replace', path: '/spec/replicas', value: 3 },
      { op: 'add', path: '/metadata/labels/tier', value: 'web' },
      { op: 'remove', path: '/metadata/labels/old' },
      { op: 'add', path: '/spec/template/spec/containers/-', value: { name: 'third', image: 'x' } },
      { op: 'copy', from: '/metadata/labels/app', path: '/metadata/labels/copy' },
      { op: 'move', from: '/metadata/labels/copy', path: '/metadata/labels/moved' }
    ];

    // Act
    const out = jsonPatch(deployment, ops) as typeof deployment;

    // Assess
    expect(out.spec.replicas).toBe(3);
    expect(out.metadata.labels).toEqual({ app: 'd', tier: 'web', moved: 'd' });
    expect(out.spec.template.spec.containers.map((c) => c.name)).toEqual(['server', 'sidecar', 'third']);
  });

  it('rejects a non-array body with 400 and a failing operation with 422', () => {
    // Prepare
    const notArray = { spec: { replicas: 2 } };
    const failing = [{ op: 'test', path: '/spec/replicas', value: 7 }];

    // Act
    const a = (() => {
      try {
        jsonPatch(deployment, notArray);
      } catch (e) {
        return e;
      }
    })();
    const b = (() => {
      try {
        jsonPatch(deployment, failing);
      } catch (e) {
        return e;
      }
    })();
    const c = (() => {
      try {
        jsonPatch(deployment, [{ op: 'remove', path: '/nope/deeper' }]);
      } catch (e) {
        return e;
      }
    })();

    // Assess
    expect(a).toBeInstanceOf(PatchError);
    expect((a as PatchError).status).toBe(400);
    expect((b as PatchError).status).toBe(422);
    expect((c as PatchError).status).toBe(422);
  });
});
