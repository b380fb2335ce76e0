import { describe, expect, it } from 'vitest';
import { Events } from '../../../../shared/events/catalog.js';
import type { EventDef } from '../../../../shared/events/define.js';
import type { CortexEvent, DeadLetter } from '../../../../shared/runtime/define-function.js';
import { Hub, MAX_PENDING_BYTES, RETRY_MS, type StreamRequest } from '../../../../functions/sse-relay/hub.js';
import { firstIdAt } from '../../../../functions/sse-relay/buffer.js';
import { eventOf } from '../../../fakes/ctx.js';
import { completed, delayed, demoTarget, progress, started } from '../../../helpers/healing.js';
import { parseSse, type SseMessage } from '../../../helpers/sse.js';

const NOW = Date.parse('2026-11-27T10:00:00.000Z');
const FIRST = firstIdAt(NOW);
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
    once(_event: 'close', listener: () => void): unknown {
      onClose = listener;
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

const hubOf = (opts: Partial<ConstructorParameters<typeof Hub>[0]> = {}): Hub =>
  new Hub({ buffer: 100, maxPerSession: 2, heartbeatMs: 0, nowMs: NOW, ...opts });
let n = 0;
const ev = <D extends EventDef>(def: D, data: unknown, deadLetter?: DeadLetter): CortexEvent =>
  eventOf(def, data as never, { id: `e-${++n}`, ...(deadLetter ? { deadLetter } : {}) });
const open = (hub: Hub, req: StreamRequest) => {
  const s = fakeSink();
  hub.open(s, req);
  return s;
};
const session = (id: string, lastEventId?: string): StreamRequest => ({
  kind: 'session',
  session: id,
  ...(lastEventId !== undefined ? { lastEventId } : {})
});
const json = (m: SseMessage | undefined): Record<string, unknown> =>
  JSON.parse(m?.data ?? 'null') as Record<string, unknown>;

describe('Function: sse-relay, session routing and streams', () => {
  it('never sends an event for session A to session B', () => {
    // Prepare
    const hub = hubOf();
    const a = open(hub, session(A));
    const b = open(hub, session(B));
    // Act
    hub.ingest(ev(Events.HealingStarted, started('h-a', [A])));
    hub.ingest(ev(Events.HealingProgress, progress('h-a')));
    hub.ingest(ev(Events.ChatDelayed, delayed(A)));
    // Assess
    expect(a.names()).toEqual(['connected', 'healing_start', 'healing_progress', 'processing_delay']);
    expect(b.names()).toEqual(['connected']);
  });

  it('starts every stream with retry and connected {session, lastEventId = the latest id}', () => {
    // Prepare
    const hub = hubOf();
    hub.ingest(ev(Events.HealingStarted, started('h-b', [B])));
    // Act
    const a = open(hub, session(A));
    // Assess
    expect(parseSse(a.text).retry).toBe(RETRY_MS);
    expect(a.messages()[0]).toMatchObject({ event: 'connected' });
    expect(json(a.messages()[0])).toEqual({ session: A, lastEventId: String(FIRST) });
  });

  it("routes a healing's progress, which names no session, to the sessions its start named", () => {
    // Prepare
    const hub = hubOf();
    const a = open(hub, session(A));
    const b = open(hub, session(B));
    hub.ingest(ev(Events.HealingStarted, started('h-1', [A, B])));
    // Act
    hub.ingest(ev(Events.HealingProgress, progress('h-1')));
    hub.ingest(ev(Events.HealingCompleted, completed('h-1', [A, B])));
    // Assess
    expect(a.names()).toEqual(['connected', 'healing_start', 'healing_progress', 'healing_complete']);
    expect(b.names()).toEqual(a.names());
  });

  it("sends a healing's later events to a session that joined it", () => {
    // Prepare
    const hub = hubOf();
    const c = open(hub, session(C));
    hub.ingest(ev(Events.HealingStarted, started('h-1', [A])));
    // Act
    hub.ingest(
      ev(Events.HealingProgress, {
        ...progress('h-1'),
        stage: 'joined',
        message: '1 more session(s) joined',
        sessionIds: [C]
      })
    );
    hub.ingest(ev(Events.HealingProgress, progress('h-1')));
    hub.ingest(ev(Events.HealingCompleted, completed('h-1', [A])));
    // Assess
    expect(c.names()).toEqual(['connected', 'healing_progress', 'healing_progress', 'healing_complete']);
  });

  it('gives a late joiner of an ended healing the progress then the outcome; earlier sessions get only the progress', () => {
    // Prepare
    const hub = hubOf();
    const a = open(hub, session(A));
    hub.ingest(ev(Events.HealingStarted, started('h-1', [A])));
    hub.ingest(ev(Events.HealingCompleted, completed('h-1', [A])));
    const c = open(hub, session(C));
    // Act
    const outcome = { status: 'completed', summary: 'fixed earlier', manualSteps: [] };
    hub.ingest(
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

  it("replays a session's buffered events as history on connect, and only its own", () => {
    // Prepare
    const hub = hubOf();
    hub.ingest(ev(Events.HealingStarted, started('h-a', [A])));
    hub.ingest(ev(Events.HealingStarted, started('h-b', [B])));
    hub.ingest(ev(Events.HealingProgress, progress('h-a')));
    hub.ingest(
      ev(Events.DiagnosisRequested, { healingId: 'h-a', target: demoTarget, phase: 'diagnose', checks: ['pod-status'] })
    );
    // Act
    const a = open(hub, session(A));
    // Assess
    expect(a.names()).toEqual(['connected', 'healing_start', 'healing_progress']);
    expect(a.ids()).toEqual([String(FIRST - 1), String(FIRST), String(FIRST + 2)]);
    expect(
      a
        .messages()
        .slice(1)
        .every((m) => json(m).healingId === 'h-a')
    ).toBe(true);
  });

  it('resumes after Last-Event-ID with exactly the missed events, including a synthesized outcome still owed', () => {
    // Prepare
    const hub = hubOf();
    hub.ingest(ev(Events.HealingStarted, started('h-1', [A])));
    hub.ingest(ev(Events.HealingCompleted, completed('h-1', [A])));
    const outcome = { status: 'failed', summary: 'gave up', manualSteps: ['call someone'] };
    hub.ingest(
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
    const all = open(hub, session(A));
    all.hangUp();
    const [, , , joinedId] = all.ids();
    // Act
    const fromStart = open(hub, session(A, all.ids()[1]));
    const midEntry = open(hub, session(A, joinedId));
    // Assess
    expect(all.names()).toEqual(['connected', 'healing_start', 'healing_complete', 'healing_progress', 'healing_failed']);
    expect(fromStart.names()).toEqual(['connected', 'healing_complete', 'healing_progress', 'healing_failed']);
    expect(fromStart.ids()[0]).toBe(all.ids()[1]);
    expect(midEntry.names()).toEqual(['connected', 'healing_failed']);
    expect(json(midEntry.messages()[1])).toMatchObject({ message: 'gave up', recommendation: 'call someone' });
  });

  it('sends resync {missedFrom, oldest} first when the id fell out of the buffer, then everything still buffered', () => {
    // Prepare
    const hub = hubOf({ buffer: 2 });
    hub.ingest(ev(Events.HealingStarted, started('h-1', [A])));
    hub.ingest(ev(Events.HealingProgress, progress('h-1')));
    hub.ingest(ev(Events.HealingProgress, progress('h-1', { done: 2 })));
    hub.ingest(ev(Events.HealingCompleted, completed('h-1', [A])));
    // Act
    const a = open(hub, session(A, String(FIRST)));
    // Assess
    expect(a.names()).toEqual(['connected', 'resync', 'healing_progress', 'healing_complete']);
    expect(json(a.messages()[1])).toEqual({ missedFrom: String(FIRST + 1), oldest: String(FIRST + 2) });
    expect(a.ids()[0]).toBe(String(FIRST + 1));
  });

  it('refuses a session more than maxPerSession streams until one closes', () => {
    // Prepare
    const hub = hubOf({ maxPerSession: 2 });
    const first = open(hub, session(A));
    open(hub, session(A));
    // Act
    const third = hub.canOpen(A);
    const other = hub.canOpen(B);
    first.hangUp();
    const afterClose = hub.canOpen(A);
    // Assess
    expect([third, other, afterClose]).toEqual([false, true, true]);
  });

  it('counts clients by kind and forgets closed ones', () => {
    // Prepare
    const hub = hubOf();
    const a = open(hub, session(A));
    const b = open(hub, session(B));
    const op = open(hub, { kind: 'operator', history: 10 });
    const before = hub.stats();
    // Act
    a.hangUp();
    b.hangUp();
    op.hangUp();
    // Assess
    expect(before).toMatchObject({ session: 2, operator: 1, sessions: 2 });
    expect(hub.stats()).toMatchObject({ session: 0, operator: 0, sessions: 0 });
  });

  it('drops a stream that stopped reading, and only that one', () => {
    // Prepare
    const hub = hubOf();
    const slow = open(hub, session(A));
    const fine = open(hub, session(A));
    slow.writableLength = MAX_PENDING_BYTES + 1;
    // Act
    hub.ingest(ev(Events.HealingStarted, started('h-1', [A])));
    // Assess
    expect(slow.destroyed).toBe(true);
    expect(fine.names()).toEqual(['connected', 'healing_start']);
    expect(hub.stats().session).toBe(1);
  });

  it('ends every stream on closeAll', () => {
    // Prepare
    const hub = hubOf();
    const a = open(hub, session(A));
    const op = open(hub, { kind: 'operator', history: 0 });
    // Act
    hub.closeAll();
    // Assess
    expect([a.ended, op.ended]).toEqual([true, true]);
    expect(hub.stats()).toMatchObject({ session: 0, operator: 0 });
  });
});

describe('Function: sse-relay, operator streams', () => {
  it('streams every event whole with the CloudEvent type as event name', () => {
    // Prepare
    const hub = hubOf();
    const op = open(hub, { kind: 'operator', history: 100 });
    // Act
    hub.ingest(ev(Events.HealingStarted, started('h-1', [A])));
    hub.ingest(
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

  it('replays the last N events without Last-Event-ID, and everything after it with one', () => {
    // Prepare
    const hub = hubOf();
    for (let i = 0; i < 5; i++) hub.ingest(ev(Events.ChatDelayed, delayed(A)));
    // Act
    const last2 = open(hub, { kind: 'operator', history: 2 });
    const none = open(hub, { kind: 'operator', history: 0 });
    const after = open(hub, { kind: 'operator', history: 0, lastEventId: String(FIRST + 1) });
    // Assess
    expect(last2.ids().slice(1)).toEqual([String(FIRST + 3), String(FIRST + 4)]);
    expect(last2.ids()[0]).toBe(String(FIRST + 2));
    expect(none.names()).toEqual(['connected']);
    expect(after.ids().slice(1)).toEqual([FIRST + 2, FIRST + 3, FIRST + 4].map(String));
  });

  it('filters on a session when asked, by the same rule as session streams', () => {
    // Prepare
    const hub = hubOf();
    const op = open(hub, { kind: 'operator', session: A, history: 0 });
    hub.ingest(ev(Events.HealingStarted, started('h-a', [A])));
    // Act
    hub.ingest(
      ev(Events.DiagnosisRequested, { healingId: 'h-a', target: demoTarget, phase: 'diagnose', checks: ['pod-status'] })
    );
    hub.ingest(ev(Events.HealingStarted, started('h-b', [B])));
    hub.ingest(
      ev(Events.ErrorReported, {
        component: 'chat',
        category: 'mcp_unreachable',
        message: 'x',
        occurredAt: '2026-11-27T10:00:00.000Z',
        sessionId: A
      })
    );
    // Assess
    expect(op.names()).toEqual([
      'connected',
      'dev.cortex.healing.started',
      'dev.cortex.diagnosis.requested',
      'dev.cortex.error.reported'
    ]);
  });

  it('shows dead letters with their extensions to operators only, and learns no membership from them', () => {
    // Prepare
    const hub = hubOf();
    const op = open(hub, { kind: 'operator', history: 0 });
    const c = open(hub, session(C));
    const dead = eventOf(Events.HealingStarted, started('h-9', [C]), {
      id: 'dl-1',
      deadLetter: { dest: 'http://chat.cortex.svc', code: 503, data: 'down' },
      extensions: { knativeerrordest: 'http://chat.cortex.svc', knativeerrorcode: '503' }
    });
    // Act
    hub.ingest(dead);
    hub.ingest(ev(Events.HealingProgress, progress('h-9')));
    // Assess
    expect(c.names()).toEqual(['connected']);
    expect(json(op.messages()[1])).toMatchObject({
      id: 'dl-1',
      knativeerrordest: 'http://chat.cortex.svc',
      knativeerrorcode: '503'
    });
  });
});
