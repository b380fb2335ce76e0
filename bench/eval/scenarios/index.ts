import type { Scenario } from '../scenario.js';
import { BEHAVIOUR_SCENARIOS } from './behaviour.js';
import { DEPENDENCY_SCENARIOS } from './dependencies.js';
import { FAULT_SCENARIOS } from './faults.js';
import { SAFETY_SCENARIOS } from './safety.js';

/** Every scenario of `npm run eval`, in the order they are reported. */
export const SCENARIOS: readonly Scenario[] = [
  ...FAULT_SCENARIOS,
  ...BEHAVIOUR_SCENARIOS,
  ...DEPENDENCY_SCENARIOS,
  ...SAFETY_SCENARIOS
];

/** The subset `npm test` runs: one scenario per outcome. */
export const FAST_SCENARIOS: readonly Scenario[] = SCENARIOS.filter((s) => s.fast);
