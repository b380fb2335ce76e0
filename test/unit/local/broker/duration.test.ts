import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../../../local/broker/duration.js';

describe('ISO-8601 durations (local/broker/duration)', () => {
  const valid: [string, number][] = [
    ['PT0.2S', 200],
    ['PT0,5S', 500],
    ['PT1S', 1000],
    ['PT30S', 30_000],
    ['PT1M', 60_000],
    ['PT1.5M', 90_000],
    ['PT2H', 7_200_000],
    ['P1D', 86_400_000],
    ['P1DT1H', 90_000_000],
    ['P1W', 604_800_000],
    ['PT1H2M3.25S', 3_723_250],
    ['PT0S', 0],
    ['pt10s', 10_000]
  ];
  for (const [text, ms] of valid) {
    it(`parses ${text} as ${ms} ms`, () => {
      // Prepare
      const input = ` ${text} `;
      // Act
      const parsed = parseDuration(input);
      // Assess
      expect(parsed).toBe(ms);
    });
  }

  const invalid = ['', 'P', 'PT', '0.2', '200ms', 'PT-1S', 'P1Y', 'P1M', 'T1S', 'PT1S2M', 'P1DT', 'PT.5S', 'PT1.S'];
  for (const text of invalid) {
    it(`rejects ${JSON.stringify(text)}`, () => {
      // Prepare
      const input = text;
      // Act
      const parsed = parseDuration(input);
      // Assess
      expect(parsed).toBeUndefined();
    });
  }
});
