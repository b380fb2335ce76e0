import type { Intent } from '../../shared/events/define.js';
import { targetKey, type Target } from '../../shared/events/schemas.js';
import type { Config } from '../../shared/runtime/config.js';
import type { Ctx, SetupCtx, TickBatch } from '../../shared/runtime/define-function.js';
import { toInput, type CoordinatorEvent, type Input } from './input.js';
import { react, type Env } from './saga.js';
import { isDue, type TargetState } from './state.js';

/*
 * The coordinator's I/O shell around the pure saga: finds the target's state, reacts inside a store transaction
 * (serialised per target, so concurrent deliveries cannot corrupt it), and keeps a healingId → target index.
 */

/** The slice of configuration the coordinator uses. */
export interface CoordinatorDeps {
  readonly healing: Config['healing'];
  readonly dryRun: boolean;
}

export const coordinatorSetup = ({ config }: Pick<SetupCtx, 'config'>): CoordinatorDeps => ({
  healing: config.healing,
  dryRun: config.remediation.mode === 'dry-run'
});

type CoordinatorCtx = Ctx<CoordinatorDeps>;

const TARGET = 'target:';
const HEALING = 'healing:';

export function envOf(ctx: CoordinatorCtx, healingId: string): Env {
  return { now: ctx.clock.now(), healing: ctx.deps.healing, dryRun: ctx.deps.dryRun, healingId };
}

export async function apply(ctx: CoordinatorCtx, target: Target, input: Input, healingId: string): Promise<Intent[]> {
  const key = TARGET + targetKey(target);
  // The time the input arrived, not when its turn in the per-target queue came: an answer that arrived before a
  // deadline counts as in time even when a storm of reports for the same target is queued in front of it.
  const env = envOf(ctx, healingId);
  const { intents, started, steps } = await ctx.store.transact(key, (s: TargetState | undefined) => {
    const r = react(s, input, env, target);
    const started = r.state.active && r.state.active.id !== s?.active?.id ? r.state.active.id : undefined;
    return { value: r.state, result: { intents: r.intents, started, steps: r.steps ?? [] } };
  });
  if (started) await ctx.store.transact(HEALING + started, () => ({ value: target, result: undefined }));
  // Cross-target steps (a dependency's healing asked for, or told it ended): each is its own transaction on its own
  // target's key, after this one committed. A step lost to a crash here is covered by the waiting healing's deadline.
  const more: Intent[] = [];
  for (const step of steps)
    more.push(
      ...(await apply(ctx, step.target, step.input, ctx.ids.derive(step.input.key, targetKey(step.target), 'healing')))
    );
  return [...intents, ...more];
}

/** The target of a healing: given in the event, or looked up by healingId. */
export async function targetOf(
  ctx: CoordinatorCtx,
  healingId: string,
  given: Target | undefined
): Promise<Target | undefined> {
  if (given) return given;
  return (await ctx.store.get<Target>(HEALING + healingId))?.value;
}

/**
 * Checks every target with an active healing against its phase deadline (and flushes batched announcements). Each
 * target's intents carry the trace of the healing they belong to.
 */
export async function tickAll(ctx: CoordinatorCtx, tickId: string): Promise<TickBatch[]> {
  const out: TickBatch[] = [];
  for (const key of await ctx.store.keys(TARGET)) {
    const state = (await ctx.store.get<TargetState>(key))?.value;
    const a = state?.active;
    if (!isDue(state, ctx.clock.now())) continue;
    const intents = await apply(ctx, state!.target, { kind: 'tick', key: tickId }, tickId);
    if (intents.length) out.push({ key, intents, traceparent: a?.trace });
  }
  return out;
}

/** Handles one delivery: a saga input for one target, or a deadline check of every target (a PingSource tick). */
export async function coordinate(event: CoordinatorEvent, ctx: CoordinatorCtx): Promise<Intent[]> {
  const routed = toInput(event, ctx.clock.now().toISOString());
  if (routed.kind === 'ignore') {
    ctx.log.debug({ type: event.type, id: event.id }, routed.why);
    return [];
  }
  if (routed.kind === 'tick') return (await tickAll(ctx, routed.tickId)).flatMap((b) => b.intents);
  const target = await targetOf(ctx, routed.healingId ?? '', routed.target);
  if (!target) return [];
  return apply(ctx, target, routed.input, ctx.ids.derive(event.source, event.id, 'healing'));
}
