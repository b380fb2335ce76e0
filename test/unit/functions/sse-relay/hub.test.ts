import { describe, expect, it } from 'vitest';
import { Events } from '../../../../shared/events/catalog.js';
import type { EventDef } from '../../../../shared/events/define.js';
import type { CortexEvent, DeadLetter } from '../../../../shared/runtime/define-function.js';
import {
  Hub,
  MAX_PENDING_BYTES,
  RETRY_MS,
  type StreamRequest,
  type StreamSink
} from '../../../../functions/sse-relay/hub.js';
import { createIngest } from '../../../../functions/sse-relay/ingest.js';
import { MemoryLog } from '../../../../functions/sse-relay/memory-log.js';
import { MemoryRoutes } from '../../../../functions/sse-relay/sessions.js';
import { createFakeClock, eventOf } from '../../../fakes/ctx.js';
import { completed, delayed, demoTarget, progress, started } from '../../../helpers/healing.js';
import { parseSse, type SseMessage } from '../../../helpers/sse.js';

const NOW = Date.parse('2026-11-27T10:00:00.000Z');
/** The n-th id the in-memory log hands out while the clock stands still (the operator entry takes one per event). */
const id = (n: number): string => `${NOW}-${n}`;
const A = 'session-aaaa';
const B = 'session-bbbb';
const C = 'session-cccc';

function fakeSink() {
  let onClose: (() => void) | undefined;
  const s = {
    text: '',
    writableLength: 0,
    ended: false,
    destroyed: false,
    write(chunk: string): boolean {
      s.text += chunk;
      return true;
    },
    end(): void {
      s.ended = true;
      onClose?.();
    },
    destroy(): void {
      s.destroyed = true;
      onClose?.();
    },
    on(_event: 'close', listener: (this: StreamSink) => void): unknown {
      onClose = () => listener.call(s as StreamSink);
      return s;
    },
    /** The client goes away. */
    hangUp: (): void => onClose?.(),
    messages: (): SseMessage[] => parseSse(s.text).messages,
    names: (): string[] => parseSse(s.text).messages.map((m) => m.event),
    ids: (): string[] => parseSse(s.text).messages.map((m) => m.id ?? '')
  };
  return s;
}

/** One replica's hub over the in-memory stores, with its ingest, on a clock that stands still. */
function relayOf(opts: { maxPerSession?: number; sessionCap?: number } = {}) {
  const clock = createFakeClock('2026-11-27T10:00:00.000Z');
  const log = new MemoryLog({
    operatorCap: 100,
    sessionCap: opts.sessionCap ?? 100,
    sessionTtlMs: 3_600_000,
    maxSessions: 100,
    dedupeTtlMs: 60_000,
    now: () => clock.now().getTime()
  });
  const routes = new MemoryRoutes(100);
  const hub = new Hub({ maxPerSession: opts.maxPerSession ?? 2, heartbeatMs: 0 }, log, routes);
  const ingest = createIngest(routes, log);
  return {
    hub,
    ingest,
    async open(req: StreamRequest) {
      const sink = fakeSink();
      hub.open(sink, req, await hub.prepare(req));
      return sink;
    }
  };
}

let n = 0;
const ev = <D extends EventDef>(def: D, data: unknown, deadLetter?: DeadLetter): CortexEvent =>
  eventOf(def, data as never, { id: `e-${++n}`, ...(deadLetter ? { deadLetter } : {}) });
const session = (sid: string, lastEventId?: string): StreamRequest => ({
  kind: 'session',
  session: sid,
  ...(lastEventId !== undefined ? { lastEventId } : {})
});
const json = (m: SseMessage | undefined): Record<string, unknown> =>
  JSON.parse(m?.data ?? 'null') as Record<string, unknown>;

describe('Function: sse-relay, session routing and streams', async () => {
  it('never sends an event for session A to session B', async () => {
    // Prepare
    const r = relayOf();
    const a = await r.open(session(A));
    const b = await r.open(session(B));
    // Act
    await r.ingest(ev(Events.HealingStarted, started('h-a', [A])));
    await r.ingest(ev(Events.HealingProgress, progress('h-a')));
    await r.ingest(ev(Events.ChatDelayed, delayed(A)));
    // Assess
    expect(a.names()).toEqual(['connected', 'healing_start', 'healing_progress', 'processing_delay']);
    expect(b.names()).toEqual(['connected']);
  });

  it("starts every stream with retry and connected {session, lastEventId = the latest id of the session's log}", async () => {
    // Prepare
    const r = relayOf();
    await r.ingest(ev(Events.HealingStarted, started('h-a', [A])));
    await r.ingest(ev(Events.HealingStarted, started('h-b', [B])));
    // Act
    const a = await r.open(session(A));
    const c = await r.open(session(C));
    // Assess
    expect(parseSse(a.text).retry).toBe(RETRY_MS);
    expect(a.messages()[0]).toMatchObject({ event: 'connected' });
    expect(json(a.messages()[0])).toEqual({ session: A, lastEventId: id(1) });
    expect(json(c.messages()[0])).toEqual({ session: C, lastEventId: '0-0' });
  });

  it("routes a healing's progress, which names no session, to the sessions its start named", async () => {
    // Prepare
    const r = relayOf();
    const a = await r.open(session(A));
    const b = await r.open(session(B));
    await r.ingest(ev(Events.HealingStarted, started('h-1', [A, B])));
    // Act
    await r.ingest(ev(Events.HealingProgress, progress('h-1')));
    await r.ingest(ev(Events.HealingCompleted, completed('h-1', [A, B])));
    // Assess
    expect(a.names()).toEqual(['connected', 'healing_start', 'healing_progress', 'healing_complete']);
    expect(b.names()).toEqual(a.names());
  });

  it("sends a healing's later events to a session that joined it", async () => {
    // Prepare
    const r = relayOf();
    const c = await r.open(session(C));
    await r.ingest(ev(Events.HealingStarted, started('h-1', [A])));
    // Act
    await r.ingest(
      ev(Events.HealingProgress, {
        ...progress('h-1'),
        stage: 'joined',
        message: '1 more session(s) joined',
        sessionIds: [C]
      })
    );
    await r.ingest(ev(Events.HealingProgress, progress('h-1')));
    await r.ingest(ev(Events.HealingCompleted, completed('h-1', [A])));
    // Assess
    expect(c.names()).toEqual(['connected', 'healing_progress', 'healing_progress', 'healing_complete']);
  });

  it('gives a late joiner of an ended healing the progress then the outcome; earlier sessions get only the progress', async () => {
    // Prepare
    const r = relayOf();
    const a = await r.open(session(A));
    await r.ingest(ev(Events.HealingStarted, started('h-1', [A])));
    await r.ingest(ev(Events.HealingCompleted, completed('h-1', [A])));
    const c = await r.open(session(C));
    // Act
    const outcome = { status: 'completed', summary: 'fixed earlier', manualSteps: [] };
    await r.ingest(
      ev(Events.HealingProgress, {
        healingId: 'h-1',
        stage: 'joined',
        message: 'already handled',
        done: 0,
        total: 0,
        target: demoTarget,
        sessionIds: [C],
        outcome
      })
    );
    // Assess
    expect(c.names()).toEqual(['connected', 'healing_progress', 'healing_complete']);
    expect(json(c.messages()[2])).toMatchObject({
      message: 'fixed earlier',
      actions: ['scale_up'],
      durationMs: 4200,
      success: true
    });
    expect(a.names()).toEqual(['connected', 'healing_start', 'healing_complete', 'healing_progress']);
    const [progressId, outcomeId] = c.ids().slice(1).map(Number);
    expect(outcomeId).toBe(progressId! + 1);
  });

  it("replays a session's buffered events as history on connect, and only its own", async () => {
    // Prepare
    const r = relayOf();
    await r.ingest(ev(Events.HealingStarted, started('h-a', [A])));
    await r.ingest(ev(Events.HealingStarted, started('h-b', [B])));
    await r.ingest(ev(Events.HealingProgress, progress('h-a')));
    await r.ingest(
      ev(Events.DiagnosisRequested, { healingId: 'h-a', target: demoTarget, phase: 'diagnose', checks: ['pod-status'] })
    );
    // Act
    const a = await r.open(session(A));
    // Assess
    expect(a.names()).toEqual(['connected', 'healing_start', 'healing_progress']);
    // Operator entries take ids 0, 2, 4, 6; A's frames are 1 and 5; `connected` carries the position before them.
    expect(a.ids()).toEqual([id(0), id(1), id(5)]);
    expect(
      a
        .messages()
        .slice(1)
        .every((m) => json(m).healingId === 'h-a')
    ).toBe(true);
  });

  it('resumes after Last-Event-ID with exactly the missed events, including a synthesized outcome still owed', async () => {
    // Prepare
    const r = relayOf();
    await r.ingest(ev(Events.HealingStarted, started('h-1', [A])));
    await r.ingest(ev(Events.HealingCompleted, completed('h-1', [A])));
    const outcome = { status: 'failed', summary: 'gave up', manualSteps: ['call someone'] };
    await r.ingest(
      ev(Events.HealingProgress, {
        healingId: 'h-1',
        stage: 'joined',
        message: 'already handled',
        done: 0,
        total: 0,
        target: demoTarget,
        sessionIds: [A],
        outcome
      })
    );
    const all = await r.open(session(A));
    all.hangUp();
    const [, , , joinedId] = all.ids();
    // Act
    const fromStart = await r.open(session(A, all.ids()[1]));
    const midEntry = await r.open(session(A, joinedId));
    // Assess
    expect(all.names()).toEqual(['connected', 'healing_start', 'healing_complete', 'healing_progress', 'healing_failed']);
    expect(fromStart.names()).toEqual(['connected', 'healing_complete', 'healing_progress', 'healing_failed']);
    expect(fromStart.ids()[0]).toBe(all.ids()[1]);
    expect(midEntry.names()).toEqual(['connected', 'healing_failed']);
    expect(json(midEntry.messages()[1])).toMatchObject({ message: 'gave up', recommendation: 'call someone' });
  });

  it('sends resync {missedAfter, oldest} first when the id fell out of the log, then everything still kept', async () => {
    // Prepare
    const r = relayOf({ sessionCap: 2 });
    await r.ingest(ev(Events.HealingStarted, started('h-1', [A])));
    await r.ingest(ev(Events.HealingProgress, progress('h-1')));
    await r.ingest(ev(Events.HealingProgress, progress('h-1', { done: 2 })));
    await r.ingest(ev(Events.HealingCompleted, completed('h-1', [A])));
    // Act: A saw only its first frame (id 1); its log keeps 5 and 7
    const a = await r.open(session(A, id(1)));
    // Assess
    expect(a.names()).toEqual(['connected', 'resync', 'healing_progress', 'healing_complete']);
    expect(json(a.messages()[1])).toEqual({ missedAfter: id(1), oldest: id(5) });
    expect(a.ids()).toEqual([id(4), id(4), id(5), id(7)]);
  });

  it('tells a browser that comes back with an id of an earlier process that it may have missed events', async () => {
    // Prepare
    const r = relayOf();
    await r.ingest(ev(Events.HealingStarted, started('h-1', [A])));
    // Act
    const a = await r.open(session(A, `${NOW - 60_000}-3`));
    // Assess
    expect(a.names()).toEqual(['connected', 'resync', 'healing_start']);
  });

  it('refuses a session more than maxPerSession streams until one closes', async () => {
    // Prepare
    const r = relayOf({ maxPerSession: 2 });
    const first = await r.open(session(A));
    await r.open(session(A));
    // Act
    const third = r.hub.canOpen(A);
    const other = r.hub.canOpen(B);
    first.hangUp();
    const afterClose = r.hub.canOpen(A);
    // Assess
    expect([third, other, afterClose]).toEqual([false, true, true]);
  });

  it('counts clients by kind and forgets closed ones', async () => {
    // Prepare
    const r = relayOf();
    const a = await r.open(session(A));
    const b = await r.open(session(B));
    const op = await r.open({ kind: 'operator', history: 10 });
    const before = r.hub.stats();
    // Act
    a.hangUp();
    b.hangUp();
    op.hangUp();
    // Assess
    expect(before).toMatchObject({ session: 2, operator: 1, sessions: 2 });
    expect(r.hub.stats()).toMatchObject({ session: 0, operator: 0, sessions: 0 });
  });

  it('drops a stream that stopped reading, and only that one', async () => {
    // Prepare
    const r = relayOf();
    const slow = await r.open(session(A));
    const fine = await r.open(session(A));
    slow.writableLength = MAX_PENDING_BYTES + 1;
    // Act
    await r.ingest(ev(Events.HealingStarted, started('h-1', [A])));
    // Assess
    expect(slow.destroyed).toBe(true);
    expect(fine.names()).toEqual(['connected', 'healing_start']);
    expect(r.hub.stats().session).toBe(1);
  });

  it('ends every stream on closeAll', async () => {
    // Prepare
    const r = relayOf();
    const a = await r.open(session(A));
    const op = await r.open({ kind: 'operator', history: 0 });
    // Act
    r.hub.closeAll();
    // Assess
    expect([a.ended, op.ended]).toEqual([true, true]);
    expect(r.hub.stats()).toMatchObject({ session: 0, operator: 0 });
  });
});

describe('Function: sse-relay, operator streams', async () => {
  it('streams every event whole with the CloudEvent type as event name', async () => {
    // Prepare
    const r = relayOf();
    const op = await r.open({ kind: 'operator', history: 100 });
    // Act
    await r.ingest(ev(Events.HealingStarted, started('h-1', [A])));
    await r.ingest(
      ev(Events.DiagnosisRequested, { healingId: 'h-1', target: demoTarget, phase: 'diagnose', checks: ['pod-status'] })
    );
    // Assess
    expect(op.names()).toEqual(['connected', 'dev.cortex.healing.started', 'dev.cortex.diagnosis.requested']);
    expect(json(op.messages()[2])).toMatchObject({
      specversion: '1.0',
      type: 'dev.cortex.diagnosis.requested',
      data: { healingId: 'h-1' }
    });
  });

  it('replays the last N events without Last-Event-ID, and everything after it with one', async () => {
    // Prepare
    const r = relayOf();
    for (let i = 0; i < 5; i++) await r.ingest(ev(Events.ChatDelayed, delayed(A)));
    // Act
    const last2 = await r.open({ kind: 'operator', history: 2 });
    const none = await r.open({ kind: 'operator', history: 0 });
    const after = await r.open({ kind: 'operator', history: 0, lastEventId: id(3) });
    // Assess: each delay is an operator entry (even ids) and a frame for A (odd ids)
    expect(last2.ids().slice(1)).toEqual([id(6), id(8)]);
    expect(last2.ids()[0]).toBe(id(5));
    expect(none.names()).toEqual(['connected']);
    expect(after.ids().slice(1)).toEqual([id(4), id(6), id(8)]);
  });

  it('filters on a session when asked, by the same rule as session streams', async () => {
    // Prepare
    const r = relayOf();
    const op = await r.open({ kind: 'operator', session: A, history: 0 });
    await r.ingest(ev(Events.HealingStarted, started('h-a', [A])));
    // Act
    await r.ingest(
      ev(Events.DiagnosisRequested, { healingId: 'h-a', target: demoTarget, phase: 'diagnose', checks: ['pod-status'] })
    );
    await r.ingest(ev(Events.HealingStarted, started('h-b', [B])));
    await r.ingest(
      ev(Events.ErrorReported, {
        component: 'chat',
        category: 'mcp_unreachable',
        message: 'x',
        occurredAt: '2026-11-27T10:00:00.000Z',
        sessionId: A
      })
    );
    await new Promise((resolve) => setImmediate(resolve));
    // Assess
    expect(op.names()).toEqual([
      'connected',
      'dev.cortex.healing.started',
      'dev.cortex.diagnosis.requested',
      'dev.cortex.error.reported'
    ]);
  });

  it('shows dead letters with their extensions to operators only, and learns no membership from them', async () => {
    // Prepare
    const r = relayOf();
    const op = await r.open({ kind: 'operator', history: 0 });
    const c = await r.open(session(C));
    const dead = eventOf(Events.HealingStarted, started('h-9', [C]), {
      id: 'dl-1',
      deadLetter: { dest: 'http://chat.cortex.svc', code: 503, data: 'down' },
      extensions: { knativeerrordest: 'http://chat.cortex.svc', knativeerrorcode: '503' }
    });
    // Act
    await r.ingest(dead);
    await r.ingest(ev(Events.HealingProgress, progress('h-9')));
    // Assess
    expect(c.names()).toEqual(['connected']);
    expect(json(op.messages()[1])).toMatchObject({
      id: 'dl-1',
      knativeerrordest: 'http://chat.cortex.svc',
      knativeerrorcode: '503'
    });
  });
});
