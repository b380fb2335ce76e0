import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Events } from '../../../../shared/events/catalog.js';
import { compareEventIds } from '../../../../shared/sse/event-id.js';
import { postEvent } from '../../../helpers/events.js';
import { cloudEvent, completed, demoTarget, progress, started } from '../../../helpers/healing.js';
import { startRedisServer, type RedisServer } from '../../../helpers/redis.js';
import { asSent } from '../../../helpers/signing.js';
import { dataOf, openSse } from '../../../helpers/sse.js';
import { startRelay, type Relay } from './harness.js';

/*
 * Two relay replicas on one Redis (DESIGN §7, §11): a Trigger delivers each event to one of them, and every browser,
 * whichever replica serves it, sees it; Last-Event-ID resumes on the other replica; membership learned on one routes
 * on the other. With Redis away, ingest and new streams answer 503, open streams end cleanly, readiness is false,
 * and a browser resumes where it was once Redis is back.
 */

const progressNames = (m: { event: string }[]): string[] =>
  m.filter((x) => x.event.startsWith('healing_')).map((x) => x.event);

describe('Function: sse-relay, two replicas on Redis', () => {
  let redis: RedisServer;
  let a: Relay;
  let b: Relay;
  beforeAll(async () => {
    redis = await startRedisServer();
    const env = { CORTEX_REDIS_URL: redis.url, CORTEX_REDIS_TIMEOUT_MS: '500' };
    [a, b] = [await startRelay(env), await startRelay(env)];
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await redis?.dispose();
  });

  it('streams to a browser on one replica the events the other replica received', async () => {
    // Prepare
    const s = b.session('cross');
    const onB = await openSse(s.url);
    const operatorOnB = await openSse(b.operatorUrl('&history=0'));
    await onB.until((x) => x.messages.length >= 1);
    await operatorOnB.until((x) => x.messages.length >= 1);
    // Act
    await a.post(Events.HealingStarted, started('h-cross', [s.id]));
    await a.post(Events.HealingProgress, progress('h-cross'));
    await b.post(Events.HealingCompleted, completed('h-cross', [s.id]));
    await onB.until((x) => x.messages.some((m) => m.event === 'healing_complete'));
    await operatorOnB.until((x) => x.messages.length >= 4);
    onB.close();
    operatorOnB.close();
    // Assess
    expect(progressNames(onB.messages)).toEqual(['healing_start', 'healing_progress', 'healing_complete']);
    expect(operatorOnB.messages.slice(1).map((m) => m.event)).toEqual([
      Events.HealingStarted.type,
      Events.HealingProgress.type,
      Events.HealingCompleted.type
    ]);
  });

  it('resumes on the other replica after Last-Event-ID with exactly the missed events', async () => {
    // Prepare
    const s = a.session('resume');
    await a.post(Events.HealingStarted, started('h-res', [s.id]));
    const onA = await openSse(s.url);
    await onA.until((x) => x.messages.length >= 2);
    onA.close();
    const seen = onA.messages.at(-1)!.id!;
    for (let i = 1; i <= 3; i++) await (i % 2 ? a : b).post(Events.HealingProgress, progress('h-res', { done: i }));
    // Act
    const onB = await openSse(s.url.replace(a.fn.url, b.fn.url), { 'last-event-id': seen });
    await onB.until((x) => x.messages.filter((m) => m.event === 'healing_progress').length >= 3);
    onB.close();
    // Assess
    expect(onB.messages.map((m) => m.event)).toEqual([
      'connected',
      'healing_progress',
      'healing_progress',
      'healing_progress'
    ]);
    expect(dataOf(onB.messages, 'healing_progress').map((d) => d.done)).toEqual([1, 2, 3]);
    expect(onB.messages.slice(1).every((m) => compareEventIds(m.id!, seen) > 0)).toBe(true);
  });

  it('routes a healing to a session that joined it through the other replica', async () => {
    // Prepare
    const [first, joiner] = [a.session('first'), b.session('joiner')];
    const onB = await openSse(joiner.url);
    await onB.until((x) => x.messages.length >= 1);
    await a.post(Events.HealingStarted, started('h-join', [first.id]));
    // Act
    await b.post(Events.HealingProgress, {
      ...progress('h-join'),
      stage: 'joined',
      message: '1 joined',
      sessionIds: [joiner.id]
    });
    await a.post(Events.HealingProgress, progress('h-join', { done: 2 }));
    await onB.until((x) => x.messages.filter((m) => m.event === 'healing_progress').length >= 2);
    onB.close();
    // Assess
    expect(dataOf(onB.messages, 'healing_progress').map((d) => [d.stage, d.done])).toEqual([
      ['joined', 1],
      ['diagnose', 2]
    ]);
  });

  it('appends an event delivered twice, once to each replica, once', async () => {
    // Prepare
    const s = a.session('twice');
    const ce = cloudEvent(Events.HealingStarted, asSent(Events.HealingStarted, started('h-twice', [s.id])));
    // Act
    const [one, two] = [await postEvent(a.fn.url, ce), await postEvent(b.fn.url, ce)];
    await a.post(Events.HealingProgress, progress('h-twice'));
    const c = await openSse(s.url);
    await c.until((x) => x.messages.length >= 3);
    await new Promise((r) => setTimeout(r, 100));
    c.close();
    // Assess
    expect([one.status, two.status]).toEqual([202, 202]);
    expect(progressNames(c.messages)).toEqual(['healing_start', 'healing_progress']);
  });

  it('with Redis away: open streams end, ingest and new streams answer 503, not ready; then the browser resumes', async () => {
    // Prepare
    const s = a.session('outage');
    const before = await openSse(s.url);
    await a.post(Events.HealingStarted, started('h-out', [s.id]));
    await before.until((x) => x.messages.length >= 2);
    const seen = before.messages.at(-1)!.id!;
    // Act
    await redis.stop();
    await before.until((x) => x.ended);
    const ingest = await postEvent(
      b.fn.url,
      cloudEvent(Events.HealingProgress, asSent(Events.HealingProgress, progress('h-out')))
    );
    const stream = await openSse(s.url.replace(a.fn.url, b.fn.url));
    const [readyA, liveA] = [await fetch(`${a.fn.url}/health/readiness`), await fetch(`${a.fn.url}/health/liveness`)];
    await redis.start();
    for (let i = 0; i < 100 && (await fetch(`${b.fn.url}/health/readiness`)).status !== 200; i++)
      await new Promise((r) => setTimeout(r, 100));
    await b.post(Events.HealingProgress, progress('h-out', { done: 2 }));
    const resumed = await openSse(s.url.replace(a.fn.url, b.fn.url), { 'last-event-id': seen });
    await resumed.until((x) => x.messages.some((m) => m.event === 'healing_progress'));
    resumed.close();
    // Assess
    expect([ingest.status, stream.status, readyA.status, liveA.status]).toEqual([503, 503, 503, 200]);
    expect(stream.error).toMatchObject({ error: { code: 'unavailable' } });
    expect(resumed.messages.map((m) => m.event)).toEqual(['connected', 'healing_progress']);
    expect(dataOf(resumed.messages, 'healing_progress')[0]).toMatchObject({ done: 2, target: demoTarget });
  });
});
