import { describe, expect, it } from 'vitest';
import { HASH_LABEL, sameTemplate } from '../../../../local/kube-sim/controllers/template-hash.js';
import type { PodTemplate } from '../../../../local/kube-sim/types.js';

const template = (o: { image?: string; labels?: Record<string, string>; created?: null } = {}): PodTemplate => ({
  metadata: {
    ...(o.labels ? { labels: o.labels } : {}),
    ...(o.created === null ? { creationTimestamp: null } : {})
  },
  spec: { containers: [{ name: 'server', image: o.image ?? 'ghcr.io/cortex-demo/mcp-demo:1.0.0' }] }
});

describe("sameTemplate: a Deployment's ReplicaSet is the one with its template", () => {
  it('matches a ReplicaSet whose template differs only by its hash label', () => {
    // Prepare
    const d = template({ labels: { app: 'mcp-demo' } });
    const rs = template({ labels: { app: 'mcp-demo', [HASH_LABEL]: '7d4b9c8f6' } });
    // Act
    const same = sameTemplate(rs, d);
    // Assess
    expect(same).toBe(true);
  });

  it('does not match another image, other labels, or a hash label on the Deployment side', () => {
    // Prepare
    const d = template({ labels: { app: 'mcp-demo' } });
    // Act
    const results = [
      sameTemplate(template({ labels: { app: 'mcp-demo', [HASH_LABEL]: 'x' }, image: 'other:2' }), d),
      sameTemplate(template({ labels: { app: 'other', [HASH_LABEL]: 'x' } }), d),
      sameTemplate(d, template({ labels: { app: 'mcp-demo', [HASH_LABEL]: 'x' } }))
    ];
    // Assess
    expect(results).toEqual([false, false, false]);
  });

  it('ignores a null creationTimestamp (kubectl rollout undo sends one) and labels that held only the hash', () => {
    // Prepare
    const d = template({ created: null });
    const rs = template({ labels: { [HASH_LABEL]: '7d4b9c8f6' } });
    // Act
    const same = sameTemplate(rs, d);
    // Assess
    expect(same).toBe(true);
  });

  it('leaves both templates as they were', () => {
    // Prepare
    const d = template({ labels: { app: 'mcp-demo' }, created: null });
    const rs = template({ labels: { app: 'mcp-demo', [HASH_LABEL]: '7d4b9c8f6' } });
    const before = JSON.stringify([rs, d]);
    // Act
    sameTemplate(rs, d);
    // Assess
    expect(JSON.stringify([rs, d])).toBe(before);
  });
});
