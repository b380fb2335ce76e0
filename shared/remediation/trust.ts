import { Events } from '../events/catalog.js';
import type { Intent } from '../events/define.js';
import { remediationFunction, type Action } from '../events/schemas.js';
import type { CortexEvent, TrustSpec } from '../runtime/define-function.js';
import type { Refusal } from '../trust/signature.js';
import { completed, type Actor, type RemediationRequest } from './outcome.js';
import type { RemediationCtx } from './remediate.js';

/*
 * What every remediation verifies and signs (docs/security.md): requests only the coordinator signed, once per healing
 * and attempt; a refused one is answered `denied` with the refusal, nothing looked at or changed.
 */

/**
 * The answer to a request the coordinator did not sign, or that expired, or that was used already: `denied`, with the
 * refusal code, and nothing looked at or changed. The coordinator ignores it (it answers no request of its own).
 */
export function refusedRequest(
  action: Action
): (event: CortexEvent<string, RemediationRequest>, refusal: Refusal, ctx: RemediationCtx) => Intent[] {
  return (event, refusal, ctx) => {
    const actor: Actor = { name: remediationFunction(action), namespace: ctx.deps.namespace };
    const mode = ctx.policy.mode === 'dry-run' || event.data.dryRun ? 'dry-run' : 'enforce';
    return [
      completed(action, event.data, actor, {
        outcome: 'denied',
        refusal: refusal.code,
        summary: `refused (${refusal.code}): ${refusal.reason}; nothing was changed`,
        manualSteps: [
          'Only the healing coordinator asks for remediations, and each request acts once: to run a healing again, report its failure (replay the root dev.cortex.error.reported), not the request.'
        ],
        mode
      })
    ];
  };
}

/** Remediations take only requests the coordinator signed, once per healing and attempt, and sign their answers. */
export const remediationTrust = (action: Action): TrustSpec => ({
  verify: [
    {
      types: [Events.RemediationRequested[action]],
      key: 'remediation',
      once: (d: RemediationRequest & { attempt?: number }) => `${d.healingId}:${d.attempt ?? 1}`,
      refuse: refusedRequest(action)
    }
  ],
  sign: [{ types: [Events.RemediationCompleted], key: 'remediation' }]
});
