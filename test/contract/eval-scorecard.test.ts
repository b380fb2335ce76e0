import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderSection, runInfoOf, sectionOf, withSection, wrap } from '../../bench/eval/readme.js';
import type { Scorecard } from '../../bench/eval/report.js';
import { OUTCOMES } from '../../bench/eval/scenario.js';
import { FAST_SCENARIOS, SCENARIOS } from '../../bench/eval/scenarios/index.js';
import { FAULTS } from '../../local/kube-sim/index.js';

/*
 * The eval's published record: the scenario table is well formed, the committed scorecard has a row for exactly its
 * scenarios, and the README's "Healing quality" section is what the scorecard renders to.
 */

const card = JSON.parse(readFileSync('bench/eval-scorecard.json', 'utf8')) as Scorecard;
const readme = readFileSync('README.md', 'utf8');

describe('Contract: the eval scenarios, the committed scorecard and the README', () => {
  it('at least 25 scenarios with unique names; every simulator fault and a scale to zero, opted in and not', () => {
    // Prepare
    const names = SCENARIOS.map((s) => s.name);

    // Assess
    expect(names.length).toBeGreaterThanOrEqual(25);
    expect(new Set(names).size).toBe(names.length);
    for (const fault of ['scale-zero', ...FAULTS]) {
      expect(names).toContain(`opted-in/${fault}`);
      expect(names).toContain(`not-opted-in/${fault}`);
    }
  });

  it('the fast subset (npm test) has one scenario per outcome and none with a known miss', () => {
    // Prepare
    const final = FAST_SCENARIOS.map((s) => s.rounds.at(-1)!.expect[0]!.outcome);

    // Assess
    expect([...final].sort()).toEqual([...OUTCOMES].sort());
    expect(FAST_SCENARIOS.filter((s) => s.knownIssue)).toEqual([]);
  });

  it('the committed scorecard has one row per scenario, in order, with the same known issues', () => {
    // Assess
    expect(card.rows.map((r) => r.name)).toEqual(SCENARIOS.map((s) => s.name));
    expect(card.rows.map((r) => r.knownIssue ?? null)).toEqual(SCENARIOS.map((s) => s.knownIssue ?? null));
    expect(card.rows.filter((r) => !r.pass && !r.knownIssue).map((r) => r.name)).toEqual([]);
  });

  it("the README's Healing quality section is the scorecard rendered with its run's timings", () => {
    // Prepare
    const section = sectionOf(readme);
    const run = section ? runInfoOf(section) : undefined;

    // Assess
    expect(section, 'README has no eval section').toBeDefined();
    expect(run, 'the section records no run').toBeDefined();
    expect(section).toBe(renderSection(card, run!));
    expect(readme).toContain(`## Healing quality\n\n${section}`);
  });

  it('rewriting the section replaces only the section', () => {
    // Prepare
    const section = sectionOf(readme)!;
    const other = section.replace('scenarios as expected', 'scenarios as expected (changed) $1 $&');

    // Act
    const rewritten = withSection(readme, other);

    // Assess
    expect(rewritten).toBe(readme.replace(section, () => other));
    expect(withSection('# T\n\n## Layout\n', 'S')).toBe('# T\n\n## Healing quality\n\nS\n\n## Layout\n');
    expect(wrap('a bb ccc dddd', 6)).toEqual(['a bb', 'ccc', 'dddd']);
    expect(wrap('run `npm run eval` now', 12)).toEqual(['run', '`npm run eval`', 'now']);
  });
});
