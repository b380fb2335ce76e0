import { describe, expect, it } from 'vitest';
import { startOf, sessionLog, type Append, type LogEntry, type LogKey } from '../../../../functions/sse-relay/log.js';
import type { RelayStores } from '../../../../functions/sse-relay/stores.js';
import { compareEventIds } from '../../../../shared/sse/event-id.js';

/*
 * The contract every relay store keeps (one state port, two stores, one contract suite): the in-memory logs of one
 * replica and the Redis Streams shared by replicas both pass it.
 */

export interface RelayStoreFactory {
  /** Fresh, empty stores; `operatorCap`/`sessionCap` are the caps, `sessionTtlMs` in real milliseconds. */
  make(opts: { operatorCap: number; sessionCap: number; sessionTtlMs: number }): Promise<RelayStores>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
let n = 0;
const uniq = (name: string): string => `${name}-${process.pid}-${++n}-${Math.random().toString(36).slice(2, 8)}`;
const DEFAULTS = { operatorCap: 1_000, sessionCap: 100, sessionTtlMs: 60_000 };

/** One event: an operator frame, and `frames` session frames (each to `to`). */
function appendOf(to: string[], frames = 1, label = uniq('e'), healingId?: string): Append {
  return {
    key: label,
    operator: { event: 'dev.cortex.test', data: JSON.stringify({ label }), named: to, healingId },
    frames: Array.from({ length: frames }, (_, i) => ({
      event: 'healing_progress',
      data: `{"n":${i},"label":"${label}"}`,
      to
    }))
  };
}

/** Follows a log and collects what arrives. */
function collect(stores: RelayStores, key: LogKey, after: string) {
  const got: LogEntry[] = [];
  const lost: string[] = [];
  const stop = stores.reader.follow(key, after, { entries: (b) => void got.push(...b), lost: (r) => void lost.push(r) });
  return {
    got,
    lost,
    stop,
    async until(count: number): Promise<LogEntry[]> {
      for (let i = 0; i < 500 && got.length < count; i++) await sleep(10);
      if (got.length < count) throw new Error(`got ${got.length} of ${count} entries`);
      return got;
    }
  };
}

const ascending = (ids: string[]): boolean => ids.every((id, i) => i === 0 || compareEventIds(ids[i - 1]!, id) < 0);

export function relayStoreContract(name: string, factory: RelayStoreFactory): void {
  describe(`Relay store contract: ${name}`, () => {
    it('refuses to follow from a position that is not an id, before following anything', async () => {
      // Prepare
      const s = await factory.make(DEFAULTS);
      // Act
      const follow = (after: string) => () => s.reader.follow('operator', after, { entries: () => {}, lost: () => {} });
      // Assess
      expect(follow('latest')).toThrow(TypeError);
      expect(follow('12')).toThrow(TypeError);
      await s.close();
    });

    it('appends an event to the operator log and its frames to the logs of the sessions they are for, in order', async () => {
      // Prepare
      const s = await factory.make(DEFAULTS);
      const [a, b] = [uniq('sa'), uniq('sb')];
      // Act
      await s.writer.append(appendOf([a], 2, 'first', 'h-1'));
      await s.writer.append(appendOf([a, b], 1, 'second'));
      const sa = await collect(s, sessionLog(a), '0-0').until(3);
      const sb = await collect(s, sessionLog(b), '0-0').until(1);
      const op = await collect(s, 'operator', '0-0').until(2);
      // Assess
      expect(sa.map((e) => JSON.parse(e.data).label)).toEqual(['first', 'first', 'second']);
      expect(sb.map((e) => JSON.parse(e.data).label)).toEqual(['second']);
      expect(ascending(sa.map((e) => e.id))).toBe(true);
      expect(op.map((e) => [e.event, e.named, e.healingId])).toEqual([
        ['dev.cortex.test', [a], 'h-1'],
        ['dev.cortex.test', [a, b], undefined]
      ]);
      await s.close();
    });

    it('appends a redelivered event once', async () => {
      // Prepare
      const s = await factory.make(DEFAULTS);
      const a = uniq('dup');
      const event = appendOf([a]);
      // Act
      const first = await s.writer.append(event);
      const again = await s.writer.append(event);
      await s.writer.append(appendOf([a], 1, 'after'));
      const got = await collect(s, sessionLog(a), '0-0').until(2);
      await sleep(50);
      // Assess
      expect([first, again]).toEqual([true, false]);
      expect(got.map((e) => JSON.parse(e.data).label)).toEqual([event.key, 'after']);
      await s.close();
    });

    it('follows a log from a position: kept entries after it, then appended ones, each once', async () => {
      // Prepare
      const s = await factory.make(DEFAULTS);
      const a = uniq('follow');
      for (let i = 0; i < 3; i++) await s.writer.append(appendOf([a], 1, `old-${i}`));
      const kept = await collect(s, sessionLog(a), '0-0').until(3);
      // Act
      const late = collect(s, sessionLog(a), kept[0]!.id);
      const live = collect(s, sessionLog(a), kept[2]!.id);
      await late.until(2);
      for (let i = 0; i < 2; i++) await s.writer.append(appendOf([a], 1, `new-${i}`));
      await late.until(4);
      await live.until(2);
      await sleep(50);
      // Assess
      expect(late.got.map((e) => JSON.parse(e.data).label)).toEqual(['old-1', 'old-2', 'new-0', 'new-1']);
      expect(live.got.map((e) => JSON.parse(e.data).label)).toEqual(['new-0', 'new-1']);
      late.stop();
      live.stop();
      await s.close();
    });

    it('tells where a stream starts: the whole log, after Last-Event-ID, or the last N entries', async () => {
      // Prepare
      const s = await factory.make(DEFAULTS);
      const a = uniq('info');
      const empty = await s.reader.info(sessionLog(a), 2);
      for (let i = 0; i < 4; i++) await s.writer.append(appendOf([a], 1, `e-${i}`));
      const ids = (await collect(s, sessionLog(a), '0-0').until(4)).map((e) => e.id);
      // Act
      const info = await s.reader.info(sessionLog(a), 2);
      const all = startOf(info, undefined);
      const after = startOf(info, ids[1]);
      const tail = startOf(info, undefined, 2);
      const fromAll = await collect(s, sessionLog(a), all.position).until(4);
      const fromTail = await collect(s, sessionLog(a), tail.position).until(2);
      // Assess
      expect(empty.first).toBeUndefined();
      expect(startOf(empty, undefined)).toEqual({ position: '0-0', latest: '0-0' });
      expect([info.first, info.last, info.tailFirst]).toEqual([ids[0], ids[3], ids[2]]);
      expect(all.latest).toBe(ids[3]);
      expect(fromAll.map((e) => e.id)).toEqual(ids);
      expect(after).toEqual({ position: ids[1], latest: ids[3] });
      expect(fromTail.map((e) => e.id)).toEqual(ids.slice(2));
      await s.close();
    });

    it('keeps at least the cap and trims beyond it; a reader behind what was trimmed is told to resync', async () => {
      // Prepare
      const s = await factory.make({ ...DEFAULTS, sessionCap: 10 });
      const a = uniq('cap');
      const first = collect(s, sessionLog(a), '0-0');
      // Act
      for (let i = 0; i < 250; i++) await s.writer.append(appendOf([a], 1, `e-${i}`));
      const all = await first.until(250);
      const info = await s.reader.info(sessionLog(a));
      const kept = await collect(s, sessionLog(a), startOf(info, undefined).position).until(10);
      // Assess
      expect(kept.length).toBeGreaterThanOrEqual(10);
      expect(kept.length).toBeLessThan(250);
      expect(kept.at(-1)!.id).toBe(all.at(-1)!.id);
      expect(startOf(info, all[0]!.id).resync).toEqual({ missedAfter: all[0]!.id, oldest: kept[0]!.id });
      expect(startOf(info, all.at(-2)!.id).resync).toBeUndefined();
      first.stop();
      await s.close();
    });

    it('tells a reader whose id is above anything the log handed out to resync', async () => {
      // Prepare
      const s = await factory.make(DEFAULTS);
      const a = uniq('future');
      await s.writer.append(appendOf([a]));
      // Act
      const start = startOf(await s.reader.info(sessionLog(a)), '99999999999999-0');
      // Assess
      expect(start.resync).toMatchObject({ missedAfter: '99999999999999-0' });
      await s.close();
    });

    it('drops a session log nothing was appended to for the TTL', async () => {
      // Prepare
      const s = await factory.make({ ...DEFAULTS, sessionTtlMs: 200 });
      const [idle, busy] = [uniq('idle'), uniq('busy')];
      await s.writer.append(appendOf([idle, busy]));
      // Act
      await sleep(120);
      await s.writer.append(appendOf([busy]));
      await sleep(150);
      // Assess
      expect((await s.reader.info(sessionLog(idle))).first).toBeUndefined();
      expect((await s.reader.info(sessionLog(busy))).first).toBeDefined();
      await s.close();
    });

    it('remembers who follows a healing: sessions accumulate, target and end are kept', async () => {
      // Prepare
      const s = await factory.make(DEFAULTS);
      const h = uniq('h');
      const target = { namespace: 'demo', service: 'mcp-demo' };
      // Act
      const unknown = await s.routes.get(h);
      await s.routes.learn(h, ['s-1'], target);
      await s.routes.learn(h, ['s-2', 's-1']);
      const ended = await s.routes.learn(h, [], undefined, { actions: ['scale_up'], durationMs: 10 });
      const read = await s.routes.get(h);
      // Assess
      expect(unknown).toBeUndefined();
      for (const facts of [ended, read]) {
        expect([...facts!.sessions].sort()).toEqual(['s-1', 's-2']);
        expect(facts).toMatchObject({ target, ended: { actions: ['scale_up'], durationMs: 10 } });
      }
      await s.close();
    });
  });
}
