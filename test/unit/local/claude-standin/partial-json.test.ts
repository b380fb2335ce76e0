import { describe, expect, it } from 'vitest';
import { cutJson, seededRandom, toWireJson } from '../../../../local/claude-standin/partial-json.js';

const samples: unknown[] = [
  {},
  { city: 'Paris', unit: 'celsius' },
  { query: 'quotes " and \\ backslashes\nnewlines\ttabs', n: -12.5e3, ok: true, nothing: null },
  { nested: { list: [1, 'two', { three: [3] }], empty: [] }, emoji: 'pods 🚀 ready ✅', accents: 'déjà vu' },
  { long: 'x'.repeat(500), unicode: '\u2028\u2029\u0000' }
];

describe('Tool input JSON on the wire (local/claude-standin/partial-json)', () => {
  it('writes JSON with the API spacing', () => {
    // Act
    const json = toWireJson({ city: 'Paris', tags: ['a', 'b'], n: 1, skip: undefined });
    // Assess
    expect(json).toBe('{"city": "Paris", "tags": ["a", "b"], "n": 1}');
  });

  it.each(samples.map((s) => [toWireJson(s), s]))('cuts %s into fragments that concatenate to valid JSON', (json, value) => {
    // Act
    const fragments = cutJson(json as string);
    // Assess
    expect(fragments[0]).toBe('');
    expect(fragments.join('')).toBe(json);
    expect(JSON.parse(fragments.join(''))).toEqual(value);
  });

  it('always concatenates back, for many seeds and piece sizes (cuts land inside strings)', () => {
    // Prepare
    const json = toWireJson(samples[3]);
    const random = seededRandom(7);
    const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
    const broken: number[] = [];
    let cutInsideString = 0;
    // Act
    for (let seed = 0; seed < 300; seed++) {
      const fragments = cutJson(json, { seed, maxPiece: 2 + Math.floor(random() * 20) });
      if (fragments.join('') !== json || fragments.some((f) => loneSurrogate.test(f))) broken.push(seed);
      if (fragments.some((f) => /^[a-z]/.test(f))) cutInsideString++;
    }
    // Assess
    expect(broken).toEqual([]);
    expect(cutInsideString).toBeGreaterThan(0);
  });

  it('is deterministic: the same JSON is cut the same way', () => {
    // Prepare
    const json = toWireJson(samples[2]);
    // Act
    const first = cutJson(json);
    const second = cutJson(json);
    // Assess
    expect(second).toEqual(first);
    expect(first.length).toBeGreaterThan(3);
  });
});
