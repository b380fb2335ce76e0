import type { MessageParam } from '@anthropic-ai/sdk/resources/messages';
import { describe, expect, it } from 'vitest';
import type { ChatSessions } from '../../../../functions/chat/sessions.js';

/*
 * The contract every chat session store keeps (one state port, two stores, one contract suite): the in-memory store
 * of one replica and the Redis one shared by replicas both pass it.
 */

export interface ChatSessionsFactory {
  /** A fresh store; `ttlMs` in real milliseconds. */
  make(opts: { ttlMs: number; historyTurns: number }): Promise<ChatSessions>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
let n = 0;
const fresh = (): string => `s-${process.pid}-${++n}-${Math.random().toString(36).slice(2, 8)}`;
const user = (text: string): MessageParam => ({ role: 'user', content: text });
const assistant = (text: string): MessageParam => ({ role: 'assistant', content: [{ type: 'text', text }] });

export function chatSessionsContract(name: string, factory: ChatSessionsFactory): void {
  describe(`Chat sessions contract: ${name}`, () => {
    it("starts a new or unknown session with an empty history and keeps a completed turn's history", async () => {
      // Prepare
      const store = await factory.make({ ttlMs: 60_000, historyTurns: 5 });
      const [created, unknown] = [fresh(), fresh()];
      await store.create(created);
      // Act
      const first = await store.begin(created);
      const empty = first!.history;
      await first!.commit([user('q1'), assistant('a1')]);
      await first!.end();
      const second = await store.begin(created);
      const stranger = await store.begin(unknown);
      // Assess
      expect(empty).toEqual([]);
      expect(second!.history).toEqual([user('q1'), assistant('a1')]);
      expect(stranger!.history).toEqual([]);
      await second!.end();
      await stranger!.end();
    });

    it('answers one message per session at a time: a second turn is refused until the first ends', async () => {
      // Prepare
      const store = await factory.make({ ttlMs: 60_000, historyTurns: 5 });
      const [id, other] = [fresh(), fresh()];
      const first = await store.begin(id);
      // Act
      const during = await store.begin(id);
      const elsewhere = await store.begin(other);
      await first!.end();
      const after = await store.begin(id);
      // Assess
      expect(during).toBeUndefined();
      expect(elsewhere).toBeDefined();
      expect(after).toBeDefined();
      await elsewhere!.end();
      await after!.end();
    });

    it('leaves the history as it was when a turn ends without a commit', async () => {
      // Prepare
      const store = await factory.make({ ttlMs: 60_000, historyTurns: 5 });
      const id = fresh();
      const first = await store.begin(id);
      await first!.commit([user('q1'), assistant('a1')]);
      await first!.end();
      // Act
      const failed = await store.begin(id);
      await failed!.end();
      const next = await store.begin(id);
      // Assess
      expect(next!.history).toEqual([user('q1'), assistant('a1')]);
      await next!.end();
    });

    it('commits a history trimmed to the configured number of turns', async () => {
      // Prepare
      const store = await factory.make({ ttlMs: 60_000, historyTurns: 1 });
      const id = fresh();
      const turn = await store.begin(id);
      // Act
      await turn!.commit([user('q1'), assistant('a1'), user('q2'), assistant('a2')]);
      await turn!.end();
      const next = await store.begin(id);
      // Assess
      expect(next!.history).toEqual([user('q2'), assistant('a2')]);
      await next!.end();
    });

    it('forgets a session idle for longer than the TTL', async () => {
      // Prepare
      const store = await factory.make({ ttlMs: 200, historyTurns: 5 });
      const id = fresh();
      const turn = await store.begin(id);
      await turn!.commit([user('q'), assistant('a')]);
      await turn!.end();
      // Act
      await sleep(400);
      const again = await store.begin(id);
      // Assess
      expect(again!.history).toEqual([]);
      await again!.end();
    });
  });
}
