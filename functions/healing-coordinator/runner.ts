import type { Intent } from '../../shared/events/define.js';
import { targetKey, type Target } from '../../shared/events/schemas.js';
import type { Config } from '../../shared/runtime/config.js';
import type { Ctx, SetupCtx, TickBatch } from '../../shared/runtime/define-function.js';
import { toInput, type CoordinatorEvent, type Input } from './input.js';
import { react, type Env } from './saga.js';
import { JOIN_ANNOUNCE_MS, type TargetState } from './state.js';
import { Events } from '../../shared/events/catalog.js';

/*
 * The coordinator's I/O shell around the pure saga: finds the target's state, reacts inside a store transaction
 * (compare-and-set per target: replicas never both start a healing, and a decision leaves only once its state change
 * committed; a replica that lost the race decides again on the state that won), keeps when the target next needs a
 * tick beside it (a sorted set on Redis that any replica's tick drains), and a healingId → target index.
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
/** How long the healingId → target index is kept: late answers and dead letters of a healing come within it. */
const INDEX_TTL_MS = 24 * 60 * 60_000;

export function envOf(ctx: CoordinatorCtx, healingId: string): Env {
  return { now: ctx.clock.now(), healing: ctx.deps.healing, dryRun: ctx.deps.dryRun, healingId };
}

const at = (iso: string, plusMs = 0): number => new Date(iso).getTime() + plusMs;

/**
 * When a target's state next needs a tick (epoch ms): its phase deadline, or sooner the batched announcement of
 * sessions that joined (or were absorbed) since the last one; undefined when nothing waits.
 */
export function dueOf(state: TargetState): number | undefined {
  const a = state.active;
  if (a) return a.unannounced.length > 0 ? Math.min(at(a.deadline), at(a.announcedAt, JOIN_ANNOUNCE_MS)) : at(a.deadline);
  const last = state.history.at(-1);
  return last?.unannounced?.length ? at(last.announcedAt ?? last.endedAt, JOIN_ANNOUNCE_MS) : undefined;
}

export async function apply(ctx: CoordinatorCtx, target: Target, input: Input, healingId: string): Promise<Intent[]> {
  const key = TARGET + targetKey(target);
  // The time the input arrived, not when its turn in the per-target queue came: an answer that arrived before a
  // deadline counts as in time even when a storm of reports for the same target is queued in front of it.
  const env = envOf(ctx, healingId);
  const intents = await ctx.store.transact(key, (s: TargetState | undefined) => {
    const r = react(s, input, env, target);
    return { value: r.state, result: r.intents, due: dueOf(r.state) };
  });
  // Read from the intents, so a redelivery that replays them from the outbox writes a missing index entry too.
  const started = intents.find((i) => i.type === Events.HealingStarted.type)?.data as { healingId: string } | undefined;
  if (started)
    await ctx.store.transact(HEALING + started.healingId, () => ({ value: target, result: undefined, ttlMs: INDEX_TTL_MS }));
  return intents;
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
 * Runs the saga's tick on every target whose due time has come: a phase deadline, or joined sessions to announce.
 * Any replica may run it; the compare-and-set lets one of them act per deadline. Each target's intents carry the
 * trace of the healing they belong to.
 */
export async function tickAll(ctx: CoordinatorCtx, tickId: string): Promise<TickBatch[]> {
  const out: TickBatch[] = [];
  for (const key of await ctx.store.due(ctx.clock.now().getTime())) {
    const state = (await ctx.store.get<TargetState>(key))?.value;
    if (!state) continue;
    const intents = await apply(ctx, state.target, { kind: 'tick', key: tickId }, tickId);
    if (intents.length) out.push({ key, intents, traceparent: state.active?.trace });
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
