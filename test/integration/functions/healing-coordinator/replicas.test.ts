import { afterAll, describe, expect, it } from 'vitest';
import coordinator from '../../../../functions/healing-coordinator/index.js';
import { Events } from '../../../../shared/events/catalog.js';
import { CHECKS } from '../../../../shared/events/schemas.js';
import type { Intent } from '../../../../shared/events/define.js';
import { systemIds } from '../../../../shared/runtime/clock.js';
import type { RouteCtx } from '../../../../shared/runtime/define-function.js';
import { coordinatorSetup, type CoordinatorDeps } from '../../../../functions/healing-coordinator/runner.js';
import { acquireRedis, type RedisConnection } from '../../../../shared/redis/connection.js';
import { createRedisStore } from '../../../../shared/redis/store.js';
import { createLogger } from '../../../../shared/runtime/logging.js';
import { createFakeClock, ctxFor, eventOf, type FakeClock } from '../../../fakes/ctx.js';
import { redisConfigOf, useRedisServer } from '../../../helpers/redis.js';

/*
 * The coordinator's state on Redis (DESIGN §5, §11): replicas that handle events for one target never both start a
 * healing; any replica takes any answer; any replica's tick fires a deadline; a replica started later (a restart)
 * still knows the budget and the last healing's end.
 */

const log = createLogger({ name: 'test', level: 'silent' });
const server = useRedisServer();
const held: RedisConnection[] = [];
afterAll(async () => {
  for (const r of held.splice(0)) await r.release();
});

type CoordinatorCtx = RouteCtx<CoordinatorDeps>;

/** A coordinator replica: its own store object (queue, cache) over the shared Redis; `prefix` isolates a test. */
async function replica(prefix: string, clock: FakeClock): Promise<CoordinatorCtx> {
  const redis = await acquireRedis(redisConfigOf(server().url, { CORTEX_REDIS_PREFIX: prefix }), log);
  held.push(redis);
  const store = createRedisStore(redis, { fn: 'healing-coordinator' });
  return ctxFor({ setup: coordinatorSetup }, { store, clock, ids: systemIds, env: { CORTEX_DIAGNOSE_TIMEOUT_MS: '30000' } });
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
    expect(state?.value.active.reportIds).toHaveLength(600);
    expect(new Set(state?.value.active.sessionIds).size).toBe(50);
  });

  it('takes answers on any replica, fires the deadline on another, and remembers the budget across a restart', async () => {
    // Prepare: a healing started on replica A
    const clock = createFakeClock();
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => replica('budget:', clock)));
    const [start] = await Promise.all([coordinator.handle(requested('web', 1, clock.now().toISOString()), a!)]);
    const healingId = (ofType(start!, Events.HealingStarted.type)[0]!.data as { healingId: string }).healingId;
    // Act: half of the checks answer on B; nobody else does; C's tick fires the deadline after 30 s
    for (const check of CHECKS.slice(0, 4))
      await coordinator.handle(
        eventOf(
          Events.DiagnosisCompleted,
          { healingId, check, phase: 'diagnose', verdict: 'healthy', summary: 'fine', evidence: [], target: target('web') },
          { id: `d-${check}`, source: `/cortex/check-${check}` }
        ),
        b!
      );
    clock.advance(31_000);
    const tickedEarly = await coordinator.tick!.run(a!, 'tick-early');
    const batches = await coordinator.tick!.run(c!, 'tick-1');
    const again = await coordinator.tick!.run(b!, 'tick-2');
    // Assess: the deadline closed the phase once (the silent checks inconclusive, nothing to fix: completed)
    expect(tickedEarly.length + batches.length).toBe(1);
    const firedAll = [...tickedEarly, ...batches].flatMap((x) => x.intents);
    expect(ofType(firedAll, Events.HealingCompleted.type)).toHaveLength(1);
    expect(again).toEqual([]);

    // Act: two more healings end, then a replica that was not running before (a restart) gets a fourth report
    for (let i = 2; i <= 3; i++) {
      clock.advance(1_000);
      const s = await coordinator.handle(requested('web', i, clock.now().toISOString()), a!);
      expect(ofType(s, Events.HealingStarted.type)).toHaveLength(1);
      clock.advance(31_000);
      await coordinator.tick!.run(b!, `tick-end-${i}`);
    }
    clock.advance(1_000);
    const restarted = await replica('budget:', clock);
    const fourth = await coordinator.handle(requested('web', 4, clock.now().toISOString()), restarted);
    // Assess: the budget of 3 per window survived; the fourth is escalated, not healed
    const failed = ofType(fourth, Events.HealingFailed.type);
    expect(ofType(fourth, Events.HealingStarted.type)).toHaveLength(0);
    expect((failed[0]?.data as { reasonCode: string }).reasonCode).toBe('escalated');
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
});
