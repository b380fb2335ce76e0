import type { Healing } from './state.js';

export type RemediationVerdict = { kind: 'verify' } | { kind: 'failed'; reason: string; manualSteps: string[] };
export type VerifyVerdict =
  { kind: 'healthy'; summary: string; actions: string[] } | { kind: 'failed'; reason: string; manualSteps: string[] };

/**
 * After every requested remediation answered: anything that needs a human (manual, denied, failed) ends the run with
 * its steps; otherwise (applied, or noop because the state had already changed) the fix is verified.
 */
export function remediationOutcome(h: Healing): RemediationVerdict {
  const results = Object.entries(h.remediation);
  const blocking = results.filter(([, r]) => r!.outcome === 'manual' || r!.outcome === 'denied' || r!.outcome === 'failed');
  if (blocking.length === 0) return { kind: 'verify' };
  const applied = results.filter(([, r]) => r!.outcome === 'applied').map(([a]) => a);
  const reason = blocking.map(([a, r]) => `${a} ${r!.outcome}: ${r!.summary}`).join('; ');
  const steps = blocking.flatMap(([, r]) => r!.manualSteps);
  return {
    kind: 'failed',
    reason: `${reason}${applied.length ? ` (also applied: ${applied.join(', ')})` : ''}`,
    manualSteps: steps.length ? steps : [`Look at ${h.target.namespace}/${h.target.service} by hand: ${reason}`]
  };
}

/** After verification: healthy only if every verify check says so. */
export function verifyOutcome(h: Healing): VerifyVerdict {
  const applied = Object.entries(h.remediation).filter(([, r]) => r!.outcome === 'applied');
  const actions = applied.map(([a]) => a);
  const checks = Object.entries(h.verification);
  const unhealthy = checks.filter(([, r]) => r!.verdict !== 'healthy');
  const did = applied.length ? applied.map(([, r]) => r!.summary).join('; ') : 'no change was needed';
  if (unhealthy.length === 0) {
    return {
      kind: 'healthy',
      actions,
      summary: `${h.target.service} is healthy again: ${did}; verified: ${checks.map(([, r]) => r!.summary).join('; ')}`
    };
  }
  return {
    kind: 'failed',
    reason: `still unhealthy after ${actions.length ? actions.join(', ') : 'remediation'}: ${unhealthy.map(([c, r]) => `${c}: ${r!.summary}`).join('; ')}`,
    manualSteps: [
      `Cortex applied: ${did}. The target did not recover; inspect it by hand:`,
      `kubectl get pods -n ${h.target.namespace} -o wide; kubectl describe deployment -n ${h.target.namespace} ${h.target.service}`,
      `kubectl logs -n ${h.target.namespace} deploy/${h.target.service} --previous --tail=50`
    ]
  };
}
