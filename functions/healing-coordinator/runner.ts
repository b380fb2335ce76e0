import { ACTIONS, CHECKS, targetKey, type Action, type CheckName, type Target } from '../../shared/events/schemas.js';
import type { Intent } from '../../shared/events/define.js';
import type { CortexEvent, Ctx } from '../../shared/runtime/define-function.js';
import { react, type Env, type Input } from './saga.js';
import type { TargetState } from './state.js';

/*
 * The coordinator's I/O shell around the pure saga: finds the target's state, reacts inside a store transaction
 * (serialised per target, so concurrent deliveries cannot corrupt it), and keeps a healingId → target index.
 */

const TARGET = 'target:';
const HEALING = 'healing:';

export function envOf(ctx: Ctx, healingId: string): Env {
  return { now: ctx.clock.now(), healing: ctx.config.healing, dryRun: ctx.config.remediation.mode === 'dry-run', healingId };
}

export async function apply(ctx: Ctx, target: Target, input: Input, healingId: string): Promise<Intent[]> {
  const key = TARGET + targetKey(target);
  // The time the input arrived, not when its turn in the per-target queue came: an answer that arrived before a
  // deadline counts as in time even when a storm of reports for the same target is queued in front of it.
  const env = envOf(ctx, healingId);
  const { intents, started } = await ctx.store.transact(key, (s: TargetState | undefined) => {
    const r = react(s, input, env, target);
    const started = r.state.active && r.state.active.id !== s?.active?.id ? r.state.active.id : undefined;
    return { value: r.state, result: { intents: r.intents, started } };
  });
  if (started) await ctx.store.transact(HEALING + started, () => ({ value: target, result: undefined }));
  return intents;
}

/** The target of a healing: given in the event, or looked up by healingId. */
export async function targetOf(ctx: Ctx, healingId: string, given: Target | undefined): Promise<Target | undefined> {
  if (given) return given;
  return (await ctx.store.get<Target>(HEALING + healingId))?.value;
}

/** What a deadline check emitted for one target, with the trace of the healing it belongs to. */
export interface TickResult {
  /** The target's store key: part of the id of what is published, so two targets ticked at once never share an id. */
  key: string;
  intents: Intent[];
  trace: string | undefined;
}

/** Checks every target with an active healing against its phase deadline (and flushes batched announcements). */
export async function tickAll(ctx: Ctx, cause: string): Promise<TickResult[]> {
  const out: TickResult[] = [];
  for (const key of await ctx.store.keys(TARGET)) {
    const state = (await ctx.store.get<TargetState>(key))?.value;
    const a = state?.active;
    const due = a
      ? ctx.clock.now() >= new Date(a.deadline) || a.unannounced.length > 0
      : (state?.history.at(-1)?.unannounced?.length ?? 0) > 0;
    if (!due) continue;
    const intents = await apply(ctx, state!.target, { kind: 'tick', key: cause }, cause);
    if (intents.length) out.push({ key, intents, trace: a?.trace });
  }
  return out;
}

/** Which function a dead-letter destination was: `http://check-pod-status.cortex.svc…` in a cluster, `…/check-pod-status` locally. */
export function functionOfDest(dest: string | undefined): string | undefined {
  if (!dest) return undefined;
  try {
    const url = new URL(dest);
    const candidates = [url.hostname.split('.')[0], url.pathname.split('/').filter(Boolean).at(-1)];
    return candidates.find((c) => c && /^(check|remediate)-[a-z-]+$/.test(c));
  } catch {
    return undefined;
  }
}

type Dl = CortexEvent<string, { healingId: string; target: Target; phase?: 'diagnose' | 'verify'; checks?: CheckName[] }>;

/** A dead-lettered request: the check (or remediation) that never took it counts as inconclusive (or failed). */
export function lostInput(event: Dl, key: string): Input | undefined {
  const fn = functionOfDest(event.deadLetter?.dest);
  const why = `${fn ?? 'a subscriber'} did not take the request (dead-lettered${event.deadLetter?.code ? `, HTTP ${event.deadLetter.code}` : ''})`;
  const { healingId, phase, checks } = event.data;
  if (phase && checks) {
    const check = fn?.replace(/^check-/, '') as CheckName | undefined;
    if (!check || !CHECKS.includes(check) || !checks.includes(check)) return undefined; // unknown sender: the deadline covers it
    return { kind: 'check-lost', key, healingId, phase, checks: [check], reason: why };
  }
  const action = fn?.replace(/^remediate-/, '').replaceAll('-', '_') as Action | undefined;
  if (!action || !ACTIONS.includes(action)) return undefined;
  return { kind: 'action-lost', key, healingId, action, reason: why };
}
