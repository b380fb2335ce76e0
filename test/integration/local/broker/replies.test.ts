import { afterEach, describe, expect, it } from 'vitest';
import { eventually, finalOutcomes, sendBinary, trigger, type Reply, useServers } from './harness.js';

const binaryReply = (id: string, type: string): Reply => ({
  status: 200,
  headers: {
    'ce-specversion': '1.0',
    'ce-id': id,
    'ce-source': '/cortex/a',
    'ce-type': type,
    'content-type': 'application/json'
  },
  body: JSON.stringify({ from: 'a' })
});

describe('Local broker replies and TTL (real HTTP)', () => {
  const { subscriber, broker } = useServers(afterEach);

  it('routes a binary reply from A back into the broker: a Trigger on its type reaches B', async () => {
    // Prepare
    const a = await subscriber(() => binaryReply('reply-1', 'dev.cortex.test.answered'));
    const b = await subscriber();
    const tb = await broker(
      trigger('a', `  filter: { attributes: { type: dev.cortex.test.asked } }\n  subscriber: { uri: ${a.url} }`) +
        trigger('b', `  filter: { attributes: { type: dev.cortex.test.answered } }\n  subscriber: { uri: ${b.url} }`)
    );
    // Act
    await sendBinary(tb.broker.url, { id: 'ask-1', type: 'dev.cortex.test.asked' });
    await eventually(() => expect(finalOutcomes(tb.outcomes, 'reply-1')).toHaveLength(1));
    // Assess
    expect(b.received).toHaveLength(1);
    expect(b.received[0]!.headers).toMatchObject({
      'ce-id': 'reply-1',
      'ce-type': 'dev.cortex.test.answered',
      'ce-source': '/cortex/a'
    });
    expect(JSON.parse(b.received[0]!.body)).toEqual({ from: 'a' });
    expect(tb.outcomes.find((o) => o.kind === 'reply')).toMatchObject({ id: 'reply-1', trigger: 'cortex/a', ttl: 254 });
    expect(tb.outcomes.find((o) => o.kind === 'accepted' && o.id === 'reply-1')?.ttl).toBe(254);
    expect(tb.broker.stats()).toMatchObject({ replies: 1, delivered: 2 });
  });

  it('routes a structured reply too', async () => {
    // Prepare
    const reply = {
      specversion: '1.0',
      id: 'reply-2',
      source: '/cortex/a',
      type: 'dev.cortex.test.answered',
      data: { ok: true }
    };
    const a = await subscriber(() => ({
      status: 200,
      headers: { 'content-type': 'application/cloudevents+json' },
      body: JSON.stringify(reply)
    }));
    const b = await subscriber();
    const tb = await broker(
      trigger('a', `  filter: { attributes: { type: dev.cortex.test.asked } }\n  subscriber: { uri: ${a.url} }`) +
        trigger('b', `  filter: { attributes: { type: dev.cortex.test.answered } }\n  subscriber: { uri: ${b.url} }`)
    );
    // Act
    await sendBinary(tb.broker.url, { id: 'ask-2', type: 'dev.cortex.test.asked' });
    await eventually(() => expect(b.received).toHaveLength(1));
    // Assess
    expect(b.received[0]!.headers['ce-id']).toBe('reply-2');
    expect(JSON.parse(b.received[0]!.body)).toEqual({ ok: true });
  });

  it('stops a reply loop with the TTL: each hop costs one, and the stop is logged and counted', async () => {
    // Prepare: a subscriber that always answers with an event of the type it listens to
    let n = 0;
    const loop = await subscriber(() => binaryReply(`loop-${++n}`, 'dev.cortex.test.loop'));
    const tb = await broker(
      trigger('loop', `  filter: { attributes: { type: dev.cortex.test.loop } }\n  subscriber: { uri: ${loop.url} }`)
    );
    // Act
    const res = await sendBinary(tb.broker.url, {
      id: 'loop-0',
      type: 'dev.cortex.test.loop',
      extensions: { knativebrokerttl: '5' }
    });
    await eventually(() => expect(tb.broker.stats().ttlExpired).toBe(1));
    // Assess
    expect(res.status).toBe(202);
    // TTL 5 → 4 at the ingress; replies get 3, 2, 1; the fourth reply would get 0 and is stopped.
    expect(loop.received.map((r) => r.headers['ce-id'])).toEqual(['loop-0', 'loop-1', 'loop-2', 'loop-3']);
    expect(loop.received.every((r) => r.headers['ce-knativebrokerttl'] === undefined)).toBe(true);
    expect(tb.outcomes.filter((o) => o.kind === 'accepted').map((o) => o.ttl)).toEqual([4, 3, 2, 1]);
    const stop = tb.lines.find((l) => l.msg === 'ttl-expired');
    expect(stop).toMatchObject({ level: 'warn', id: 'loop-4', reason: expect.stringMatching(/knativebrokerttl exhausted/) });
    expect(tb.broker.stats()).toMatchObject({ delivered: 4, replies: 3, ttlExpired: 1, dropped: 0 });
  });

  it('treats an invalid reply event as a failed delivery (502), retried then dropped', async () => {
    // Prepare
    const a = await subscriber(() => ({
      status: 200,
      headers: { 'ce-specversion': '1.0', 'ce-id': 'r', 'ce-source': '/a' }
    }));
    const tb = await broker(
      trigger('a', `  delivery: { retry: 1, backoffPolicy: linear, backoffDelay: PT0.01S }\n  subscriber: { uri: ${a.url} }`)
    );
    // Act
    await sendBinary(tb.broker.url, { id: 'bad-reply', type: 'dev.cortex.test' });
    await eventually(() => expect(finalOutcomes(tb.outcomes, 'bad-reply')).toHaveLength(1));
    // Assess
    expect(a.received).toHaveLength(2);
    expect(finalOutcomes(tb.outcomes, 'bad-reply')[0]).toMatchObject({
      kind: 'dropped',
      status: 502,
      reason: expect.stringMatching(/reply is not a valid CloudEvent: invalid CloudEvent: type: required/)
    });
  });
});
