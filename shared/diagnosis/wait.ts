import { setTimeout as sleepMs } from 'node:timers/promises';
import type { ChangeFeed } from '../kube/change-feed.js';
import type { KubePort, WatchTarget } from '../kube/port.js';
import type { Clock } from '../runtime/clock.js';
import { ForbiddenError } from '../runtime/errors.js';
import type { CheckCtx, CheckFinding, CheckRequest } from './check.js';

export interface PollOptions {
  clock: Clock;
  /** Stop polling at this time; the last probe's result is returned. */
  until: Date;
  intervalMs: number;
  /** Injected in tests; a real timer by default. */
  sleep?: (ms: number) => Promise<unknown>;
  /**
   * Changes from Kubernetes watches: with a feed, the next probe runs as soon as something changed (or after
   * `intervalMs` without a change, as a safety net), instead of on the timer alone.
   */
  changes?: ChangeFeed | undefined;
}

/** Probes a burst of watch events may cause in one wait, so a flapping object cannot spin it. */
const MAX_CHANGE_PROBES = 1000;

/**
 * How long a check may wait for readiness: only in the `verify` phase, at most `waitMs`, and one poll interval
 * before the coordinator's deadline so the answer still arrives in time. Undefined means "look once".
 *
 * @example
 * waitBound({ phase: 'verify', deadline: new Date('2026-11-27T10:00:30Z') }, { waitMs: 20_000, pollMs: 500 }, clock);
 * // → 2026-11-27T10:00:20.000Z when the clock reads 10:00:00
 */
export function waitBound(
  req: { phase: string; deadline: Date | undefined },
  limits: { waitMs: number; pollMs: number },
  clock: Clock
): Date | undefined {
  if (req.phase !== 'verify' || limits.waitMs <= 0) return undefined;
  const now = clock.now().getTime();
  const byDeadline = req.deadline ? req.deadline.getTime() - limits.pollMs : Infinity;
  const end = Math.min(now + limits.waitMs, byDeadline);
  return end > now ? new Date(end) : undefined;
}

/**
 * Runs `probe` until `done` accepts its result or the time is up: again after each change a watch reports, or after
 * `intervalMs` without one (without a feed: every `intervalMs`). The number of probes is bounded too, so a clock that
 * does not move (a test's) cannot make it spin forever. Errors of the probe propagate.
 *
 * @example
 * const finding = await pollUntil(() => look(), (f) => f.verdict === 'healthy', { clock, until, intervalMs: 500 });
 */
export async function pollUntil<T>(
  probe: () => Promise<T>,
  done: (result: T) => boolean,
  opts: PollOptions
): Promise<{ result: T; polls: number }> {
  const { clock, until, intervalMs, sleep = sleepMs, changes } = opts;
  const end = until.getTime();
  const maxTimed = Math.ceil(Math.max(0, end - clock.now().getTime()) / intervalMs) + 1;
  let polls = 1;
  let woken = 0;
  let result = await probe();
  while (!done(result) && polls - woken < maxTimed && woken < MAX_CHANGE_PROBES) {
    const left = end - clock.now().getTime();
    if (changes) {
      if (left <= 0) break;
      if (await changes.next(Math.min(intervalMs, left))) woken += 1;
    } else {
      if (left < intervalMs) break;
      await sleep(intervalMs);
    }
    polls += 1;
    result = await probe();
  }
  return { result, polls };
}

/**
 * Opens a change feed on `targets` for a wait, or none when the port cannot watch or the watch cannot open for a
 * passing reason (then the wait runs on its timer alone: slower, same answer). A 403 is thrown: the function declares
 * the `watch` grant, so its absence is a misconfiguration to report.
 *
 * @example
 * const changes = await openChanges(ctx.kube, 'demo', [{ kind: 'pods', labelSelector: 'app=api' }]);
 */
export async function openChanges(
  kube: Pick<KubePort, 'watchChanges'> | undefined,
  namespace: string,
  targets: readonly WatchTarget[]
): Promise<ChangeFeed | undefined> {
  if (!kube?.watchChanges || targets.length === 0) return undefined;
  // A refused watch is a grant the function declares and lacks: reported like any other 403, not hidden.
  return kube.watchChanges(namespace, targets).catch((err: unknown) => {
    if (err instanceof ForbiddenError) throw err;
    return undefined;
  });
}

/**
 * Looks once, or in the verify phase keeps looking (bounded by {@link waitBound}) until the finding is healthy or
 * `final` says waiting cannot change it, looking again whenever a watch on `watch` reports a change. A finding that
 * is still a problem after a wait says how long it waited.
 *
 * @example
 * return settle(() => look(), req, ctx);
 */
export async function settle(
  look: () => Promise<CheckFinding>,
  req: CheckRequest,
  ctx: Pick<CheckCtx, 'clock' | 'deps'> & { kube?: Pick<KubePort, 'watchChanges'> },
  final: (f: CheckFinding) => boolean = () => false,
  watch: readonly WatchTarget[] = []
): Promise<CheckFinding> {
  const until = waitBound(req, ctx.deps.checks, ctx.clock);
  if (!until) return look();
  const started = ctx.clock.now().getTime();
  const done = (f: CheckFinding): boolean => f.verdict === 'healthy' || final(f);
  const first = await look();
  if (done(first)) return first;
  // Watches open only when there is something to wait for; the look right after they open sees every change before.
  const changes = await openChanges(ctx.kube, req.target.namespace, watch);
  try {
    const intervalMs = ctx.deps.checks.pollMs;
    // Without watches the first look counts as the first poll; with them, the look after opening does.
    let kept: CheckFinding | undefined = changes ? undefined : first;
    const probe = (): Promise<CheckFinding> => (kept ? Promise.resolve(kept) : look()).finally(() => (kept = undefined));
    const { result, polls } = await pollUntil(probe, done, { clock: ctx.clock, until, intervalMs, changes });
    if (done(result) || (polls === 1 && !changes)) return result;
    const waited = Math.max(1, Math.round((ctx.clock.now().getTime() - started) / 1000));
    return { ...result, summary: `${result.summary} (still after waiting ${waited}s)` };
  } finally {
    changes?.close();
  }
}
