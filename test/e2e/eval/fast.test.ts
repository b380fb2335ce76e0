import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { drift, scorecard, type Scorecard } from '../../../bench/eval/report.js';
import { runScenario } from '../../../bench/eval/run.js';
import { FAST_SCENARIOS } from '../../../bench/eval/scenarios/index.js';

/*
 * The fast subset of `npm run eval`, one scenario per outcome, with the same harness: each on a fresh local stack,
 * scored against its expectation and against its row of the committed scorecard (outcomes, actions and counts do not
 * depend on how fast the simulated pods start).
 */

const committed = JSON.parse(readFileSync('bench/eval-scorecard.json', 'utf8')) as Scorecard;

describe('e2e: healing quality, one eval scenario per outcome', () => {
  for (const s of FAST_SCENARIOS) {
    it(`${s.name}: ${s.title}`, async () => {
      // Act
      const score = await runScenario(s, { podStartMs: 150 });

      // Assess
      expect(score.misses).toEqual([]);
      expect(drift(committed, scorecard([score]), new Set([s.name]))).toEqual([]);
    });
  }
});
