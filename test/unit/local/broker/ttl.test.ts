import { describe, expect, it } from 'vitest';
import { ingressTtl, MAX_TTL } from '../../../../local/broker/ttl.js';

describe('Broker TTL (local/broker/ttl)', () => {
  const table: [unknown, { ttl: number; malformed: boolean }][] = [
    [undefined, { ttl: MAX_TTL, malformed: false }],
    [10, { ttl: 9, malformed: false }],
    ['10', { ttl: 9, malformed: false }],
    [1, { ttl: 0, malformed: false }],
    [0, { ttl: -1, malformed: false }],
    ['-3', { ttl: -4, malformed: false }],
    ['ten', { ttl: MAX_TTL, malformed: true }],
    [2.5, { ttl: MAX_TTL, malformed: true }]
  ];
  for (const [value, expected] of table) {
    it(`${JSON.stringify(value)} at the ingress → ${expected.ttl}${expected.malformed ? ' (reset)' : ''}`, () => {
      // Prepare
      const incoming = value;
      // Act
      const result = ingressTtl(incoming);
      // Assess
      expect(result).toEqual(expected);
    });
  }
});
