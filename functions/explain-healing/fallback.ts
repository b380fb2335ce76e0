import type { Brief } from './brief.js';

/** What to write when Claude is not asked (budget spent) or does not answer: the findings, in plain words. */
export interface Explained {
  summary: string;
  nextStep: string;
}

/**
 * An explanation from the findings alone (`model: "none"`): the first problem found, what was done, how it ended, and
 * the first manual step (or a look at the target) as the next step.
 *
 * @example
 * explainFromFindings(brief); // → { summary: 'demo/api healed in 4.2 s. pod-status found …', nextStep: '…' }
 */
export function explainFromFindings(brief: Brief): Explained {
  const problem = brief.findings.find((f) => f.verdict === 'problem');
  const acted = brief.actions.filter((a) => a.outcome === 'applied').map((a) => a.action);
  const ended =
    brief.outcome === 'healed'
      ? `${brief.target} healed${brief.durationMs !== undefined ? ` in ${(brief.durationMs / 1000).toFixed(1)} s` : ''}`
      : `${brief.target} was not healed (${brief.reasonCode ?? 'failed'})`;
  const parts = [
    `${ended}.`,
    problem ? `${problem.check} found: ${problem.summary}` : brief.summary,
    acted.length > 0 ? `Actions applied: ${acted.join(', ')}.` : ''
  ];
  const nextStep =
    brief.manualSteps[0] ??
    (brief.outcome === 'healed'
      ? `Watch ${brief.target} for a recurrence; if it comes back, look at what changed before ${problem?.check ?? 'the failure'}.`
      : `Look at ${brief.target} by hand: kubectl describe and kubectl logs --previous on its pods.`);
  return { summary: parts.filter(Boolean).join(' ').slice(0, 2000), nextStep: nextStep.slice(0, 2000) };
}
