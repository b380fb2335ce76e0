import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Events } from '../../../../shared/events/catalog.js';
import { completed, delayed, demoTarget, progress, started } from '../../../helpers/healing.js';
import { dataOf, openSse, type SseClient } from '../../../helpers/sse.js';
import { compareEventIds } from '../../../../shared/sse/event-id.js';
import { useRedisServer } from '../../../helpers/redis.js';
import { relayStores, startRelay, type Relay } from './harness.js';

const redis = useRedisServer();

const healingEvents = (m: SseClient['messages']) => m.filter((x) => x.event.startsWith('healing_'));

describe.each(relayStores(redis))('Function: sse-relay over real HTTP (%s), session streams', (_store, env) => {
  let relay: Relay;
  beforeAll(async () => {
    relay = await startRelay({ ...env(), CORTEX_RELAY_MAX_PER_SESSION: '2' });
  });
  afterAll(async () => {
    await relay.stop();
  });

  it.each([
    ['no token', (s: { id: string; token: string }) => `?session=${s.id}`],
    ['a wrong token', (s: { id: string; token: string }) => `?session=${s.id}&token=${'x'.repeat(43)}`],
    [
      "another session's token",
      (s: { id: string; token: string }, other: { token: string }) => `?session=${s.id}&token=${other.token}`
    ]
  ])('answers 401 JSON to a session stream with %s', async (_name, query) => {
    // Prepare
    const [s, other] = [relay.session('auth'), relay.session('other')];
    // Act
    const c = await openSse(`${relay.fn.url}/events${query(s, other)}`);
    // Assess
    expect(c.status).toBe(401);
    expect(c.error).toMatchObject({ error: { code: 'unauthorized' } });
  });

  it('answers 400 JSON when the request names no session and is not an operator stream', async () => {
    // Prepare
    const url = `${relay.fn.url}/events`;
    // Act
    const c = await openSse(url);
    // Assess
    expect(c.status).toBe(400);
    expect(c.error).toMatchObject({ error: { code: 'bad_request' } });
  });

  it('opens with SSE headers, retry, and connected {session, lastEventId} as the first event', async () => {
    // Prepare
    const s = relay.session('hello');
    // Act
    const c = await openSse(s.url);
    await c.until((x) => x.messages.length >= 1);
    c.close();
    // Assess
    expect(c.status).toBe(200);
    expect(c.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(c.headers.get('cache-control')).toContain('no-transform');
    expect(c.retry).toBe(1000);
    expect(c.messages[0]?.event).toBe('connected');
    expect(JSON.parse(c.messages[0]!.data)).toEqual({ session: s.id, lastEventId: '0-0' });
  });

  it("sends session A only its events, never session B's", async () => {
    // Prepare
    const [a, b] = [relay.session('iso-a'), relay.session('iso-b')];
    const [ca, cb] = [await openSse(a.url), await openSse(b.url)];
    // Act
    await relay.post(Events.HealingStarted, started('h-iso-a', [a.id]));
    await relay.post(Events.HealingProgress, progress('h-iso-a'));
    await relay.post(Events.ChatDelayed, delayed(b.id));
    await relay.post(Events.HealingCompleted, completed('h-iso-a', [a.id]));
    await ca.until((x) => x.messages.some((m) => m.event === 'healing_complete'));
    await cb.until((x) => x.messages.some((m) => m.event === 'processing_delay'));
    ca.close();
    cb.close();
    // Assess
    expect(ca.messages.map((m) => m.event)).toEqual(['connected', 'healing_start', 'healing_progress', 'healing_complete']);
    expect(cb.messages.map((m) => m.event)).toEqual(['connected', 'processing_delay']);
    expect(healingEvents(ca.messages).every((m) => JSON.parse(m.data).healingId === 'h-iso-a')).toBe(true);
  });

  it("replays the session's buffered events on connect (history), with their ids", async () => {
    // Prepare
    const s = relay.session('history');
    await relay.post(Events.HealingStarted, started('h-hist', [s.id]));
    await relay.post(Events.HealingProgress, progress('h-hist'));
    // Act
    const c = await openSse(s.url);
    await c.until((x) => x.messages.length >= 3);
    c.close();
    // Assess
    expect(c.messages.map((m) => m.event)).toEqual(['connected', 'healing_start', 'healing_progress']);
    expect(dataOf(c.messages, 'healing_start')[0]).toMatchObject({
      healingId: 'h-hist',
      service: 'mcp-demo',
      target: demoTarget
    });
    expect(compareEventIds(c.messages[2]!.id!, c.messages[1]!.id!)).toBeGreaterThan(0);
  });

  it('resumes from Last-Event-ID with every missed event exactly once', async () => {
    // Prepare
    const s = relay.session('resume');
    await relay.post(Events.HealingStarted, started('h-res', [s.id]));
    const first = await openSse(s.url);
    await first.until((x) => x.messages.length >= 2);
    first.close();
    const seen = first.messages.at(-1)!.id!;
    for (let i = 1; i <= 3; i++) await relay.post(Events.HealingProgress, progress('h-res', { done: i }));
    await relay.post(Events.HealingCompleted, completed('h-res', [s.id]));
    // Act
    const again = await openSse(s.url, { 'last-event-id': seen });
    await again.until((x) => x.messages.some((m) => m.event === 'healing_complete'));
    again.close();
    // Assess
    const missed = healingEvents(again.messages);
    expect(missed.map((m) => m.event)).toEqual([
      'healing_progress',
      'healing_progress',
      'healing_progress',
      'healing_complete'
    ]);
    expect(dataOf(missed, 'healing_progress').map((d) => d.done)).toEqual([1, 2, 3]);
    expect(new Set(missed.map((m) => m.id)).size).toBe(4);
    expect(missed.every((m) => compareEventIds(m.id!, seen) > 0)).toBe(true);
  });

  it('lets an EventSource that the server cut off reconnect with Last-Event-ID and see every event exactly once', async () => {
    // Prepare
    const s = relay.session('es');
    const got: Array<{ type: string; id: string }> = [];
    const es = new EventSource(s.url);
    const opened: string[] = [];
    for (const type of ['healing_start', 'healing_progress', 'healing_complete']) {
      es.addEventListener(type, (e) => void got.push({ type, id: e.lastEventId }));
    }
    es.addEventListener('connected', (e) => void opened.push(e.lastEventId));
    const until = async (pred: () => boolean): Promise<void> => {
      for (let i = 0; i < 1000 && !pred(); i++) await new Promise((r) => setTimeout(r, 10));
      if (!pred()) throw new Error(`condition not met; got ${JSON.stringify(got)}`);
    };
    await until(() => opened.length === 1);
    await relay.post(Events.HealingStarted, started('h-es', [s.id]));
    await relay.post(Events.HealingProgress, progress('h-es', { done: 1 }));
    await until(() => got.length === 2);
    // Act: the relay drops every stream, and events arrive while the browser is away
    relay.hub.closeAll();
    await relay.post(Events.HealingProgress, progress('h-es', { done: 2 }));
    await relay.post(Events.HealingCompleted, completed('h-es', [s.id]));
    await until(() => got.length >= 4 && opened.length === 2);
    es.close();
    // Assess
    expect(got.map((g) => g.type)).toEqual(['healing_start', 'healing_progress', 'healing_progress', 'healing_complete']);
    expect(new Set(got.map((g) => g.id)).size).toBe(4);
    expect(opened[1]).toBe(got[1]!.id);
  });

  it('answers 429 JSON when the session already has maxPerSession open streams', async () => {
    // Prepare
    const s = relay.session('cap');
    const open = [await openSse(s.url), await openSse(s.url)];
    // Act
    const third = await openSse(s.url);
    // Assess
    expect(open.map((c) => c.status)).toEqual([200, 200]);
    expect(third.status).toBe(429);
    expect(third.error).toMatchObject({ error: { code: 'too_many_streams', max: 2 } });
    for (const c of open) c.close();
  });

  it('sends heartbeat comments on an idle stream', async () => {
    // Prepare
    const s = relay.session('beat');
    // Act
    const c = await openSse(s.url);
    await c.until((x) => x.comments.length >= 2);
    c.close();
    // Assess
    expect(c.comments.slice(0, 2)).toEqual(['keep-alive', 'keep-alive']);
    expect(c.messages.map((m) => m.event)).toEqual(['connected']);
  });

  it('forgets streams whose clients went away (stats back to 0)', async () => {
    // Prepare
    await relay.drained();
    const clients = await Promise.all(
      [relay.session('gone-1'), relay.session('gone-2'), relay.session('gone-3')].map((s) => openSse(s.url))
    );
    const op = await openSse(relay.operatorUrl('&history=0'));
    const during = relay.hub.stats();
    // Act
    for (const c of [...clients, op]) c.close();
    await relay.drained();
    // Assess
    expect(during).toMatchObject({ session: 3, operator: 1, sessions: 3 });
    expect(relay.hub.stats()).toMatchObject({ session: 0, operator: 0, sessions: 0 });
  });
});

describe('Function: sse-relay over real HTTP (in memory), a resume the log can no longer serve', () => {
  let relay: Relay;
  beforeAll(async () => {
    relay = await startRelay({ CORTEX_RELAY_SESSION_BUFFER: '3' });
  });
  afterAll(async () => {
    await relay.stop();
  });

  it('sends resync {missedAfter, oldest} before the rest of the log', async () => {
    // Prepare
    const s = relay.session('resync');
    await relay.post(Events.HealingStarted, started('h-rs', [s.id]));
    const first = await openSse(s.url);
    await first.until((x) => x.messages.length >= 2);
    first.close();
    const seen = first.messages[1]!.id!;
    for (let i = 1; i <= 4; i++) await relay.post(Events.HealingProgress, progress('h-rs', { done: i }));
    // Act
    const again = await openSse(s.url, { 'last-event-id': seen });
    await again.until((x) => x.messages.filter((m) => m.event === 'healing_progress').length >= 3);
    again.close();
    // Assess
    expect(again.messages.map((m) => m.event)).toEqual([
      'connected',
      'resync',
      'healing_progress',
      'healing_progress',
      'healing_progress'
    ]);
    const resync = JSON.parse(again.messages[1]!.data) as { missedAfter: string; oldest: string };
    expect(resync.missedAfter).toBe(seen);
    expect(resync.oldest).toBe(again.messages[2]!.id);
    expect(dataOf(again.messages, 'healing_progress').map((d) => d.done)).toEqual([2, 3, 4]);
  });
});
