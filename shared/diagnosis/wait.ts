import { setTimeout as sleepMs } from 'node:timers/promises';
import type { Clock } from '../runtime/clock.js';
import type { CheckCtx, CheckFinding, CheckRequest } from './check.js';

export interface PollOptions {
  clock: Clock;
  /** Stop polling at this time; the last probe's result is returned. */
  until: Date;
  intervalMs: number;
  /** Injected in tests; a real timer by default. */
  sleep?: (ms: number) => Promise<unknown>;
}

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
 * Runs `probe` until `done` accepts its result or the time is up, sleeping `intervalMs` between probes. The number
 * of probes is bounded too, so a clock that does not move (a test's) cannot make it spin forever. Errors of the
 * probe propagate.
 *
 * @example
 * const finding = await pollUntil(() => look(), (f) => f.verdict === 'healthy', { clock, until, intervalMs: 500 });
 */
export async function pollUntil<T>(
  probe: () => Promise<T>,
  done: (result: T) => boolean,
  opts: PollOptions
): Promise<{ result: T; polls: number }> {
  const { clock, until, intervalMs, sleep = sleepMs } = opts;
  const maxPolls = Math.ceil(Math.max(0, until.getTime() - clock.now().getTime()) / intervalMs) + 1;
  let polls = 1;
  let result = await probe();
  while (!done(result) && polls < maxPolls && clock.now().getTime() + intervalMs <= until.getTime()) {
    await sleep(intervalMs);
    polls += 1;
    result = await probe();
  }
  return { result, polls };
}

/**
 * Looks once, or in the verify phase keeps looking (bounded by {@link waitBound}) until the finding is healthy or
 * `final` says waiting cannot change it. A finding that is still a problem after a wait says how long it waited.
 *
 * @example
 * return settle(() => look(), req, ctx);
 */
export async function settle(
  look: () => Promise<CheckFinding>,
  req: CheckRequest,
  ctx: Pick<CheckCtx, 'clock' | 'deps'>,
  final: (f: CheckFinding) => boolean = () => false
): Promise<CheckFinding> {
  const until = waitBound(req, ctx.deps.checks, ctx.clock);
  if (!until) return look();
  const started = ctx.clock.now().getTime();
  const done = (f: CheckFinding): boolean => f.verdict === 'healthy' || final(f);
  const { result, polls } = await pollUntil(look, done, { clock: ctx.clock, until, intervalMs: ctx.deps.checks.pollMs });
  if (done(result) || polls === 1) return result;
  const waited = Math.max(1, Math.round((ctx.clock.now().getTime() - started) / 1000));
  return { ...result, summary: `${result.summary} (still after waiting ${waited}s)` };
}
