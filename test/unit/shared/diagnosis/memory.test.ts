import { describe, expect, it } from 'vitest';
import { formatMi, parseMemory } from '../../../../shared/kube/quantity.js';
import { suggestLimit } from '../../../../shared/diagnosis/memory.js';

describe('Diagnosis: memory quantities', () => {
  it.each([
    ['128Mi', 134217728],
    ['1Gi', 1073741824],
    ['1.5Gi', 1610612736],
    ['512Ki', 524288],
    ['500M', 500e6],
    ['129e6', 129e6],
    ['134217728', 134217728],
    ['1k', 1000],
    [268435456, 268435456],
    ['12Zi', undefined],
    ['lots', undefined],
    ['-1Mi', undefined],
    [undefined, undefined]
  ])('parses %s', (q, bytes) => {
    // Act
    const out = parseMemory(q as string | number | undefined);
    // Assess
    expect(out).toBe(bytes);
  });

  it('formats bytes as whole Mi, rounding up', () => {
    // Assess
    expect(formatMi(134217728)).toBe('128Mi');
    expect(formatMi(134217729)).toBe('129Mi');
    expect(formatMi(1)).toBe('1Mi');
  });

  it.each([
    [
      { limit: '128Mi', request: '64Mi' },
      { currentLimit: '128Mi', suggestedLimit: '256Mi', basis: 'double the current limit 128Mi' }
    ],
    [{ limit: '1Gi' }, { currentLimit: '1Gi', suggestedLimit: '2048Mi', basis: 'double the current limit 1Gi' }],
    [
      { request: '100Mi' },
      { currentLimit: undefined, suggestedLimit: '200Mi', basis: 'no limit set: twice the request 100Mi' }
    ],
    [{}, { currentLimit: undefined, suggestedLimit: '512Mi', basis: 'no limit or request set: a starting point of 512Mi' }]
  ])('suggests a limit for %j', (resources, expected) => {
    // Act
    const s = suggestLimit(resources);
    // Assess
    expect(s).toEqual(expected);
  });
});
