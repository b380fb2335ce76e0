import { Events, RemediationRequested } from '../../shared/events/catalog.js';
import { ACTIONS } from '../../shared/events/schemas.js';
import type { TrustSpec } from '../../shared/runtime/define-function.js';

/*
 * What the coordinator signs and verifies (docs/security.md). It signs every request (the checks' and the
 * remediations' keys) and every healing event a browser's stream shows (the relay's key); it takes only answers the
 * checks and remediations signed, dead letters of requests it signed itself, and operators' decisions the approvals
 * function signed (the approval key, which only the two of them hold). Anything else is ignored and logged.
 */

const REQUESTS = ACTIONS.map((a) => RemediationRequested[a]);
/** What a browser's stream shows of a healing; signed so the relay can tell them from forgeries. */
const HEALING_EVENTS = [Events.HealingStarted, Events.HealingProgress, Events.HealingCompleted, Events.HealingFailed];
/** The relay takes a healing event this long after it was signed (Triggers to the relay retry for seconds). */
const STREAM_TTL_MS = 10 * 60_000;

export const COORDINATOR_TRUST: TrustSpec = {
  verify: [
    {
      types: [Events.DiagnosisCompleted, Events.DiagnosisRequested, Events.VerificationRequested],
      key: 'diagnosis',
      refuse: 'ignore'
    },
    { types: [Events.RemediationCompleted, ...REQUESTS], key: 'remediation', refuse: 'ignore' },
    // An operator's decision counts only signed by the approvals function, once per approval request (DESIGN §12).
    {
      types: [Events.ApprovalDecided],
      key: 'approval',
      once: (d: { approvalId: string }) => d.approvalId,
      refuse: 'ignore'
    }
  ],
  sign: [
    { types: [Events.DiagnosisRequested, Events.VerificationRequested], key: 'diagnosis' },
    { types: REQUESTS, key: 'remediation' },
    { types: HEALING_EVENTS, key: 'stream', ttlMs: STREAM_TTL_MS },
    { types: [Events.ApprovalRequested], key: 'approval', ttlMs: STREAM_TTL_MS }
  ]
};
