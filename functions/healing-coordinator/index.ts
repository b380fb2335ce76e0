import { Events, RemediationRequested } from '../../shared/events/catalog.js';
import { ACTIONS } from '../../shared/events/schemas.js';
import { defineFunction, type AnyFunctionDef } from '../../shared/runtime/define-function.js';
import { DEAD_LETTERS, ON } from './input.js';
import { coordinate, coordinatorSetup, tickAll } from './runner.js';
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
    ...ACTIONS.map((a) => RemediationRequested[a]),
    Events.HealingCompleted,
    Events.HealingFailed
  ],
  knative: {
    minScale: 1,
    maxScale: 1,
    scaleReason: 'One replica: the in-memory saga store and its per-target serialisation live in this process.',
    // Every input moves a saga; give up on one only after about two minutes of retries (0.5 s doubling, 8 times).
    deliveryRetry: 8
  },
  // Signs its requests and healing events; takes only signed answers (docs/security.md).
  trust: COORDINATOR_TRUST,
  setup: coordinatorSetup,
  handle: coordinate,
  // Phase deadlines: while the process lives its own timer checks them; in a cluster the PingSource tick does too
  // (it survives scale-to-zero).
  tick: { everyMs: (deps) => deps.healing.tickIntervalMs, run: tickAll }
}) satisfies AnyFunctionDef;
