import { Events, RemediationRequested } from '../../shared/events/catalog.js';
import { ACTIONS } from '../../shared/events/schemas.js';
import { defineFunction, type AnyFunctionDef } from '../../shared/runtime/define-function.js';
import { DEAD_LETTERS, ON } from './input.js';
import { coordinate, coordinatorSetup, publishTicks } from './runner.js';
import { COORDINATOR_TRUST } from './trust.js';

/** The healing saga: single flight per target, budget, fan-out, plan, remediate, verify, report (DESIGN §5). */
export default defineFunction({
  name: 'healing-coordinator',
  description: 'Runs one healing per failing target: diagnose in parallel, remediate, verify, report.',
  on: ON,
  deadLetters: DEAD_LETTERS,
  emits: [
    Events.HealingStarted,
    Events.HealingProgress,
    Events.DiagnosisRequested,
    Events.VerificationRequested,
    ...ACTIONS.map((a) => RemediationRequested[a]),
    Events.ApprovalRequested,
    Events.HealingCompleted,
    Events.HealingFailed
  ],
  // Per-target state, budget, deadlines and the healing index: on Redis, shared by any number of replicas.
  sharedState: 'redis',
  knative: {
    minScale: 1,
    scaleReason:
      'At least one replica: its in-process tick fires phase deadlines finer than the PingSource minute. ' +
      'More than one needs CORTEX_REDIS_URL (the cortex-redis Secret): without it the saga state stays in each process.',
    // Every input moves a saga; give up on one only after about two minutes of retries (0.5 s doubling, 8 times).
    deliveryRetry: 8
  },
  // Signs its requests and healing events; takes only signed answers (docs/security.md).
  trust: COORDINATOR_TRUST,
  setup: coordinatorSetup,
  handle: coordinate,
  // Phase deadlines: while the process lives its own timer checks them (and publishes what it decided itself, see
  // tick-outbox.ts); in a cluster the PingSource tick does too (it survives scale-to-zero).
  tick: { everyMs: (deps) => deps.healing.tickIntervalMs, run: publishTicks }
}) satisfies AnyFunctionDef;
