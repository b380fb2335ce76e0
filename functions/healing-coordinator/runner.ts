import type { Intent } from '../../shared/events/define.js';
import { targetKey, type Target } from '../../shared/events/schemas.js';
import type { Config } from '../../shared/runtime/config.js';
import type { Ctx, RouteCtx, SetupCtx, TickBatch } from '../../shared/runtime/define-function.js';
import { sourceOf } from '../../shared/events/envelope.js';
import { toInput, type CoordinatorEvent, type Input } from './input.js';
import { react, type Env } from './saga.js';
import { JOIN_ANNOUNCE_MS, type TargetState } from './state.js';
import { dueWithUnpublished, stale, withUnpublished, type Stored, type Unpublished } from './tick-outbox.js';
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
  return last?.unannounced?.length || last?.unannouncedReports
    ? at(last.announcedAt ?? last.endedAt, JOIN_ANNOUNCE_MS)
    : undefined;
}

/**
 * Applies one input to a target's state in one transaction. `record`: keep what it decided as unpublished until the
 * caller says it went out (a deadline tick; tick-outbox.ts).
 */
export async function apply(
  ctx: CoordinatorCtx,
  target: Target,
  input: Input,
  healingId: string,
  record?: { id: string; trace: string | undefined }
): Promise<Intent[]> {
  const key = TARGET + targetKey(target);
  // The time the input arrived, not when its turn in the per-target queue came: an answer that arrived before a
  // deadline counts as in time even when a storm of reports for the same target is queued in front of it.
  const env = envOf(ctx, healingId);
  const { intents, steps } = await ctx.store.transact(key, (s: Stored | undefined) => {
    const r = react(s, input, env, target);
    const kept = s?.unpublished ?? [];
    const decided: Unpublished[] =
      record && r.intents.length > 0 ? [{ ...record, intents: r.intents, at: env.now.getTime() }] : [];
    const value = withUnpublished(r.state, [...kept, ...decided]);
    return { value, result: { intents: r.intents, steps: r.steps ?? [] }, due: dueWithUnpublished(value, dueOf(r.state)) };
  });
  // Read from the intents, so a redelivery that replays them from the outbox writes a missing index entry too.
  const started = intents.find((i) => i.type === Events.HealingStarted.type)?.data as { healingId: string } | undefined;
  if (started)
    await ctx.store.transact(HEALING + started.healingId, () => ({ value: target, result: undefined, ttlMs: INDEX_TTL_MS }));
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
 * Runs the saga's tick on every target whose due time has come: a phase deadline, or joined sessions to announce.
 * Any replica may run it; the compare-and-set lets one of them act per deadline. Each target's intents carry the
 * trace of the healing they belong to. `record` keeps each decision as unpublished (see publishTicks).
 */
export async function tickAll(ctx: CoordinatorCtx, tickId: string, record = false): Promise<TickBatch[]> {
  const out: TickBatch[] = [];
  for (const key of await ctx.store.due(ctx.clock.now().getTime())) {
    const state = (await ctx.store.get<Stored>(key))?.value;
    if (!state) continue;
    const trace = state.active?.trace;
    const keep = record ? { id: `${tickId}:${key}`, trace } : undefined;
    const intents = await apply(ctx, state.target, { kind: 'tick', key: tickId }, tickId, keep);
    if (intents.length) out.push({ key, intents, traceparent: trace });
  }
  return out;
}

/** Drops unpublished entries that went out. */
async function settle(ctx: CoordinatorCtx, key: string, ids: readonly string[]): Promise<void> {
  await ctx.store.transact(key, (s: Stored | undefined) => {
    if (!s) return { value: s, result: undefined };
    const value = withUnpublished(
      s,
      (s.unpublished ?? []).filter((u) => !ids.includes(u.id))
    );
    return { value, result: undefined, due: dueWithUnpublished(value, dueOf(value)) };
  });
}

/**
 * The in-process tick: decides, publishes each target's batch under `<tick id>:<key>` (the cause the runtime would
 * use), then records that it went out; and publishes again what a replica that died in between left behind.
 */
export async function publishTicks(ctx: RouteCtx<CoordinatorDeps>, tickId: string): Promise<TickBatch[]> {
  const source = sourceOf('healing-coordinator');
  for (const b of await tickAll(ctx, tickId, true)) {
    await ctx.publish(b.intents, { id: `${tickId}:${b.key}`, source, traceparent: b.traceparent });
    await settle(ctx, b.key, [`${tickId}:${b.key}`]);
  }
  const now = ctx.clock.now().getTime();
  for (const key of await ctx.store.due(now)) {
    const left = stale((await ctx.store.get<Stored>(key))?.value ?? ({} as Stored), now);
    for (const u of left) await ctx.publish(u.intents, { id: u.id, source, traceparent: u.trace });
    if (left.length > 0)
      await settle(
        ctx,
        key,
        left.map((u) => u.id)
      );
  }
  return [];
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
