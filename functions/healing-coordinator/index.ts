import { Events, RemediationRequested } from '../../shared/events/catalog.js';
import { ACTIONS } from '../../shared/events/schemas.js';
import { defineFunction } from '../../shared/runtime/define-function.js';
import { causeOf } from '../../shared/runtime/delivery.js';
import { apply, lostInput, targetOf, tickAll } from './runner.js';

/** The healing saga: single flight per target, budget, fan-out, plan, remediate, verify, report (DESIGN §5). */
export default defineFunction({
  name: 'healing-coordinator',
  description: 'Runs one healing per failing target: diagnose in parallel, remediate, verify, report.',
  on: [Events.HealingRequested, Events.DiagnosisCompleted, Events.RemediationCompleted, Events.PingTick],
  deadLetters: [Events.DiagnosisRequested, ...ACTIONS.map((a) => RemediationRequested[a])],
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
  async handle(event, ctx) {
    const key = `${event.source}\u0000${event.id}${event.deadLetter ? `#${event.deadLetter.dest}` : ''}`;
    const healingId = ctx.ids.derive(event.source, event.id, 'healing');
    if (event.deadLetter) {
      const input = lostInput(event as never, key);
      return input ? apply(ctx, (event.data as { target: never }).target, input, healingId) : [];
    }
    switch (event.type) {
      case Events.HealingRequested.type:
        return apply(
          ctx,
          event.data.target,
          {
            kind: 'requested',
            key,
            time: event.time ?? ctx.clock.now().toISOString(),
            data: event.data,
            trace: causeOf(event).traceparent
          },
          healingId
        );
      case Events.DiagnosisCompleted.type:
      case Events.RemediationCompleted.type: {
        const target = await targetOf(ctx, event.data.healingId, event.data.target);
        if (!target) return [];
        const kind = event.type === Events.DiagnosisCompleted.type ? 'diagnosis' : 'remediation';
        return apply(ctx, target, { kind, key, data: event.data } as never, healingId);
      }
      default:
        return (await tickAll(ctx, causeOf(event).id)).flatMap((r) => r.intents);
    }
  },
  async start(ctx) {
    // Locally the process lives on, so a timer checks deadlines; in a cluster the PingSource tick does (it survives scale-to-zero).
    const timer = setInterval(() => {
      const cause = { id: `tick-${ctx.clock.now().toISOString()}`, source: '/cortex/healing-coordinator' };
      void tickAll(ctx, cause.id)
        .then((results) =>
          Promise.all(
            results.map((r) => ctx.publish(r.intents, { ...cause, id: `${cause.id}:${r.key}`, traceparent: r.trace }))
          )
        )
        .catch((err: unknown) => ctx.log.error({ err }, 'deadline check failed'));
    }, ctx.config.healing.tickIntervalMs);
    timer.unref();
    ctx.onShutdown(() => clearInterval(timer));
  }
});
