import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createResolver, parseManifests, startBroker } from '../../../../local/broker/index.js';
import { eventually, captureLog, finalOutcomes, sendBinary, trigger, useServers } from './harness.js';

/*
 * Nothing accepted is lost silently: every (event, matching Trigger) ends delivered, dead-lettered or dropped with a
 * reason, including when the subscriber cannot be resolved and when the broker stops with deliveries pending.
 */

describe('Local broker lifecycle: no silent loss (real HTTP)', () => {
  const { subscriber, broker, defer } = useServers(afterEach);

  it('ends every (event, Trigger) pair in exactly one final outcome under a flaky subscriber', async () => {
    // Prepare: /r fails each event's first attempt (then retried); /d fails every third event (dead-lettered);
    // /b fails every second event and has neither retries nor a sink (dropped)
    const seen = new Set<string>();
    const sub = await subscriber((req) => {
      const n = Number(String(req.headers['ce-id']).split('-')[1]);
      const key = `${req.url}:${n}`;
      const first = !seen.has(key);
      seen.add(key);
      const fail = req.url === '/r' ? first : req.url === '/d' ? n % 3 === 0 : n % 2 === 0;
      return { status: fail ? 500 : 202 };
    });
    const dls = await subscriber();
    const tb = await broker(
      trigger(
        'retrying',
        `  delivery: { retry: 3, backoffPolicy: linear, backoffDelay: PT0.01S }\n  subscriber: { uri: ${sub.url}/r }`
      ) +
        trigger('dls', `  delivery: { deadLetterSink: { uri: ${dls.url} } }\n  subscriber: { uri: ${sub.url}/d }`) +
        trigger('bare', `  delivery: { retry: 0 }\n  subscriber: { uri: ${sub.url}/b }`)
    );
    const ids = Array.from({ length: 60 }, (_, i) => `flaky-${i}`);
    // Act
    const statuses = await Promise.all(
      ids.map((id) => sendBinary(tb.broker.url, { id, type: 'dev.cortex.test' }).then((r) => r.status))
    );
    await eventually(() => expect(tb.broker.stats().pending).toBe(0));
    // Assess
    expect(statuses.every((s) => s === 202)).toBe(true);
    for (const id of ids) {
      const finals = finalOutcomes(tb.outcomes, id);
      expect(finals.map((o) => o.trigger).sort()).toEqual(['cortex/bare', 'cortex/dls', 'cortex/retrying']);
    }
    const { triggers } = tb.broker.stats();
    expect(triggers['cortex/retrying']).toEqual({ matched: 60, delivered: 60, retried: 60, deadLettered: 0, dropped: 0 });
    expect(triggers['cortex/dls']).toEqual({ matched: 60, delivered: 40, retried: 0, deadLettered: 20, dropped: 0 });
    expect(triggers['cortex/bare']).toEqual({ matched: 60, delivered: 30, retried: 0, deadLettered: 0, dropped: 30 });
    expect(dls.received).toHaveLength(20);
  });

  it('drops (with the reason) an event whose subscriber does not resolve', async () => {
    // Prepare
    const tb = await broker(
      trigger('ghost', `  subscriber: { ref: { apiVersion: serving.knative.dev/v1, kind: Service, name: missing } }`)
    );
    // Act
    const res = await sendBinary(tb.broker.url, { id: 'ghost-1', type: 'dev.cortex.test' });
    await eventually(() => expect(finalOutcomes(tb.outcomes, 'ghost-1')).toHaveLength(1));
    // Assess
    expect(res.status).toBe(202);
    const line = tb.lines.find((l) => l.msg === 'dropped' && l.id === 'ghost-1');
    expect(line).toMatchObject({
      level: 'error',
      trigger: 'cortex/ghost',
      reason: 'subscriber Service cortex/missing does not resolve to a URL'
    });
  });

  it('on stop, drops a delivery waiting for its retry and aborts one in flight after the grace period, logging both', async () => {
    // Prepare
    const failing = await subscriber(() => ({ status: 503 }));
    const hanging = await subscriber(() => ({ status: 202, delayMs: 30_000 }));
    const { log, lines } = captureLog();
    const { triggers } = parseManifests(
      trigger(
        'waiting',
        `  delivery: { retry: 5, backoffPolicy: exponential, backoffDelay: PT10S }\n  subscriber: { uri: ${failing.url} }`
      ) + trigger('inflight', `  subscriber: { uri: ${hanging.url} }`),
      'fixture.yaml'
    );
    const running = await startBroker({
      namespace: 'cortex',
      triggers,
      brokers: [],
      log,
      resolve: createResolver(() => undefined),
      shutdownGraceMs: 100
    });
    const outcomes: string[] = [];
    running.on('outcome', (o) => outcomes.push(`${o.kind}:${o.trigger ?? ''}`));
    await sendBinary(running.url, { id: 'stop-1', type: 'dev.cortex.test' });
    await eventually(() => expect(outcomes).toContain('retry:cortex/waiting'));
    await eventually(() => expect(hanging.received).toHaveLength(1));
    // Act
    await running.stop();
    // Assess
    const dropped = lines.filter((l) => l.msg === 'dropped');
    expect(dropped.map((l) => l.trigger).sort()).toEqual(['cortex/inflight', 'cortex/waiting']);
    const reason = (t: string): unknown => dropped.find((l) => l.trigger === t)!.reason;
    expect(reason('cortex/waiting')).toMatch(
      /broker stopped after 1 failed attempt\(s\), last: subscriber answered 503; a retry was pending/
    );
    expect(reason('cortex/inflight')).toMatch(/broker stopped after 1 failed attempt\(s\)/);
    expect(running.stats()).toMatchObject({ accepted: 1, dropped: 2, pending: 0 });
    await expect(sendBinary(running.url, { id: 'after', type: 'x' })).rejects.toThrow();
  });

  it('reloads Triggers from the knative directory', async () => {
    // Prepare
    const dir = await mkdtemp(path.join(tmpdir(), 'broker-reload-'));
    defer(() => rm(dir, { recursive: true, force: true }));
    const sub = await subscriber();
    await writeFile(
      path.join(dir, 'a.yaml'),
      trigger('a', `  filter: { attributes: { type: a } }\n  subscriber: { uri: ${sub.url}/a }`)
    );
    const { log } = captureLog();
    const running = await startBroker({
      namespace: 'cortex',
      triggers: [],
      brokers: [],
      knativeDir: dir,
      log,
      resolve: createResolver(() => undefined)
    });
    defer(() => running.stop());
    // Act
    await writeFile(
      path.join(dir, 'b.yml'),
      trigger('b', `  filter: { attributes: { type: b } }\n  subscriber: { uri: ${sub.url}/b }`)
    );
    await running.reload();
    await sendBinary(running.url, { id: 'r-a', type: 'a' });
    await sendBinary(running.url, { id: 'r-b', type: 'b' });
    await eventually(() => expect(sub.received).toHaveLength(2));
    // Assess
    expect(sub.received.map((r) => `${r.url}:${String(r.headers['ce-id'])}`).sort()).toEqual(['/a:r-a', '/b:r-b']);
  });
});
