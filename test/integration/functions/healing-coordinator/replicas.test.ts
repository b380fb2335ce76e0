import { describe, expect, it } from 'vitest';
import coordinator from '../../../../functions/healing-coordinator/index.js';
import { Events } from '../../../../shared/events/catalog.js';
import { CHECKS, type CheckName } from '../../../../shared/events/schemas.js';
import type { Intent } from '../../../../shared/events/define.js';
import { systemIds } from '../../../../shared/runtime/clock.js';
import type { RouteCtx } from '../../../../shared/runtime/define-function.js';
import { coordinatorSetup, type CoordinatorDeps } from '../../../../functions/healing-coordinator/runner.js';
import { createRedisStore } from '../../../../shared/redis/store.js';
import { createFakeClock, ctxFor, eventOf, type FakeClock, type Published } from '../../../fakes/ctx.js';
import { useRedisConnections, useRedisServer } from '../../../helpers/redis.js';

/*
 * The coordinator's state on Redis (DESIGN §5, §11): replicas that handle events for one target never both start a
 * healing; any replica takes any answer; any replica's tick fires a deadline; a replica started later (a restart)
 * still knows the budget and the last healing's end.
 */

const connection = useRedisConnections(useRedisServer());

type CoordinatorCtx = RouteCtx<CoordinatorDeps> & { published: Published[] };

/** A coordinator replica: its own store object (queue, cache) over the shared Redis; `prefix` isolates a test. */
async function replica(prefix: string, clock: FakeClock): Promise<CoordinatorCtx> {
  const redis = await connection({ CORTEX_REDIS_PREFIX: prefix });
  const store = createRedisStore(redis, { fn: 'healing-coordinator' });
  const env = { CORTEX_DIAGNOSE_TIMEOUT_MS: '30000', CORTEX_HEALING_TRANSIENT_LIMIT: '3' };
  return ctxFor({ setup: coordinatorSetup }, { store, clock, ids: systemIds, env });
}

const target = (service: string) => ({ namespace: 'demo', service });
const requested = (service: string, i: number, occurredAt: string) =>
  eventOf(
    Events.HealingRequested,
    {
      target: target(service),
      category: 'mcp_unreachable',
      reportIds: [`r-${i}`],
      sessionIds: [`s-${i % 50}`],
      occurredAt
    },
    { id: `req-${service}-${i}`, source: '/cortex/error-intake' }
  );
/** A check's answer: healthy. */
const healthy = (healingId: string, check: CheckName) =>
  eventOf(
    Events.DiagnosisCompleted,
    { healingId, check, phase: 'diagnose', verdict: 'healthy', summary: 'fine', evidence: [], target: target('web') },
    { id: `d-${healingId}-${check}`, source: `/cortex/check-${check}` }
  );
const ofType = (intents: readonly Intent[], type: string) => intents.filter((i) => i.type === type);

describe('healing-coordinator on Redis: several replicas', () => {
  it('starts exactly one healing for a storm of requests spread over three replicas', async () => {
    // Prepare
    const clock = createFakeClock();
    const replicas = await Promise.all([1, 2, 3].map(() => replica('storm:', clock)));
    const at = clock.now().toISOString();
    // Act: 600 requests for one target, round-robin over the replicas, all at once
    const out = await Promise.all(
      Array.from({ length: 600 }, (_, i) => coordinator.handle(requested('api', i, at), replicas[i % 3]!))
    );
    // Assess
    const intents = out.flat();
    expect(ofType(intents, Events.HealingStarted.type)).toHaveLength(1);
    expect(ofType(intents, Events.DiagnosisRequested.type)).toHaveLength(1);
    const state = await replicas[0]!.store.get<{ active: { sessionIds: string[]; reportIds: string[] } }>('target:demo/api');
    expect(state?.value.active.reportIds).toHaveLength(100);
    expect(new Set(state?.value.active.sessionIds).size).toBe(50);
  });

  it('takes answers on any replica, fires the deadline on another, and remembers the transient limit across a restart', async () => {
    // Prepare: a healing started on replica A
    const clock = createFakeClock();
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => replica('budget:', clock)));
    const [start] = await Promise.all([coordinator.handle(requested('web', 1, clock.now().toISOString()), a!)]);
    const healingId = (ofType(start!, Events.HealingStarted.type)[0]!.data as { healingId: string }).healingId;
    // Act: half of the checks answer on B; nobody else does; C's tick fires the deadline after 30 s
    for (const check of CHECKS.slice(0, 4)) await coordinator.handle(healthy(healingId, check), b!);
    clock.advance(31_000);
    const ticks = await Promise.all([
      coordinator.tick!.run(a!, 'tick-a'),
      coordinator.tick!.run(c!, 'tick-c'),
      coordinator.tick!.run(b!, 'tick-b')
    ]);
    // Assess: the three ticks raced; the deadline closed the phase once (silent checks inconclusive, nothing to fix)
    const fired = [a!, b!, c!].flatMap((r) => r.published.flatMap((p) => p.intents));
    expect(ticks.flat()).toEqual([]);
    expect(ofType(fired, Events.HealingCompleted.type)).toHaveLength(1);
    expect(new Set([a!, b!, c!].flatMap((r) => r.published.map((p) => p.cause?.id))).size).toBe(1);
    // … and once it went out, nothing is left for a second try
    clock.advance(10_000);
    await coordinator.tick!.run(b!, 'tick-later');
    expect([a!, b!, c!].flatMap((r) => r.published)).toHaveLength(1);

    // Act: two more healings end, then a replica that was not running before (a restart) gets a fourth report
    for (let i = 2; i <= 3; i++) {
      clock.advance(1_000);
      const s = await coordinator.handle(requested('web', i, clock.now().toISOString()), a!);
      const id = (ofType(s, Events.HealingStarted.type)[0]!.data as { healingId: string }).healingId;
      await coordinator.handle(healthy(id, CHECKS[0]!), b!);
      clock.advance(31_000);
      await coordinator.tick!.run(b!, `tick-end-${i}`);
    }
    clock.advance(1_000);
    const restarted = await replica('budget:', clock);
    const fourth = await coordinator.handle(requested('web', 4, clock.now().toISOString()), restarted);
    // Assess: the limit of 3 healings that found nothing to fix per window survived; the fourth report is absorbed
    const state = await restarted.store.get<{ history: Array<{ held?: { why: string } }> }>('target:demo/web');
    expect(ofType(fourth, Events.HealingStarted.type)).toHaveLength(0);
    expect(state?.value.history).toHaveLength(3);
    expect(state?.value.history.at(-1)?.held?.why).toMatch(/CORTEX_HEALING_TRANSIENT_LIMIT/);
  });

  it('absorbs, after a restart, a report that occurred before the last healing ended', async () => {
    // Prepare: a healing that started and ended (deadline) on one replica
    const clock = createFakeClock();
    const a = await replica('absorb:', clock);
    const occurredEarly = clock.now().toISOString();
    await coordinator.handle(requested('db', 1, occurredEarly), a);
    clock.advance(31_000);
    await coordinator.tick!.run(a, 'tick-1');
    // Act: a new replica gets a late report of the same failure
    const b = await replica('absorb:', clock);
    const late = await coordinator.handle(requested('db', 2, occurredEarly), b);
    // Assess
    expect(ofType(late, Events.HealingStarted.type)).toHaveLength(0);
    const state = await b.store.get<{ history: Array<{ unannounced?: string[] }> }>('target:demo/db');
    expect(state?.value.history.at(-1)?.unannounced).toEqual(['s-2']);
  });

  it('publishes again, with the same cause, what a tick decided on a replica that died before publishing it', async () => {
    // Prepare: replica A's tick decides a deadline and dies while publishing (its publish never returns)
    const clock = createFakeClock();
    const a = await replica('orphan:', clock);
    const b = await replica('orphan:', clock);
    await coordinator.handle(requested('cache', 1, clock.now().toISOString()), a);
    clock.advance(31_000);
    const dying = { ...a, publish: () => new Promise<void>(() => undefined) };
    void coordinator.tick!.run(dying, 'tick-dead');
    await new Promise((r) => setTimeout(r, 200));
    // Act: B's tick runs before and after REPUBLISH_MS
    await coordinator.tick!.run(b, 'tick-soon');
    const soon = b.published.length;
    clock.advance(6_000);
    await coordinator.tick!.run(b, 'tick-late');
    // Assess: nothing re-decided; what A decided goes out under A's cause, once
    expect(soon).toBe(0);
    expect(b.published.map((p) => p.cause?.id)).toEqual(['tick-dead:target:demo/cache']);
    expect(ofType(b.published[0]!.intents, Events.HealingFailed.type)).toHaveLength(1);
    clock.advance(6_000);
    await coordinator.tick!.run(b, 'tick-after');
    expect(b.published).toHaveLength(1);
  });
});
