import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { HTTP } from 'cloudevents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import errorIntake from '../../../../functions/error-intake/index.js';
import { createLocalIssuer, startBroker, type LocalIssuer, type RunningBroker } from '../../../../local/broker/index.js';
import { createLogger } from '../../../../shared/runtime/logging.js';
import { run, type RunningFunction } from '../../../../shared/runtime/run.js';
import { brokerAudience, serviceAudience } from '../../../../shared/trust/identity.js';
import { errorReported } from '../../../helpers/events.js';

/*
 * A function with CORTEX_EVENT_AUTH=oidc over real HTTP, against the local broker as its issuer (discovery + JWKS):
 * what it refuses (401 without a valid token, 403 from a sender outside its namespace), what it answers when the
 * issuer is down (503, retried), and the token it publishes with (its SinkBinding's, from the mounted file).
 */

const AUDIENCE = serviceAudience('cortex', 'error-intake');
const TRIGGER = 'system:serviceaccount:cortex:error-intake-oidc-eventing.knative.dev-trigger';

function lines(): { lines: Array<Record<string, unknown>>; stream: Writable } {
  const out: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString('utf8').split('\n').filter(Boolean)) out.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    }
  });
  return { lines: out, stream };
}

describe('Runtime: authenticated delivery (CORTEX_EVENT_AUTH=oidc)', () => {
  let issuer: LocalIssuer;
  let broker: RunningBroker;
  let sink: Server;
  const published: Array<string | undefined> = [];
  let fn: RunningFunction;
  let offline: RunningFunction;
  let open: RunningFunction;
  const logs = lines();

  const post = async (target: RunningFunction, token?: string): Promise<number> => {
    const m = HTTP.binary(errorReported());
    const headers = { ...(m.headers as Record<string, string>), ...(token ? { authorization: `Bearer ${token}` } : {}) };
    return (await fetch(target.url, { method: 'POST', headers, body: m.body as string })).status;
  };

  beforeAll(async () => {
    issuer = await createLocalIssuer();
    const log = createLogger({ name: 'test', level: 'silent' });
    broker = await startBroker({
      namespace: 'cortex',
      triggers: [],
      brokers: [],
      resolve: () => undefined,
      log,
      oidc: issuer
    });
    sink = createServer((req, res) => {
      published.push(req.headers.authorization);
      req.resume();
      req.on('end', () => res.writeHead(202).end());
    });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
    const dir = await mkdtemp(path.join(tmpdir(), 'cortex-oidc-'));
    const tokenFile = path.join(dir, 'token');
    await writeFile(
      tokenFile,
      await issuer.mint('system:serviceaccount:cortex:error-intake-oidc', brokerAudience('cortex', 'default'))
    );
    const env = {
      PORT: '0',
      HOST: '127.0.0.1',
      POD_NAMESPACE: 'cortex',
      K_SINK: `http://127.0.0.1:${(sink.address() as AddressInfo).port}/`,
      CORTEX_EVENT_AUTH: 'oidc',
      CORTEX_OIDC_DISCOVERY_URL: new URL(broker.url).origin,
      CORTEX_OIDC_TOKEN_FILE: tokenFile,
      CORTEX_LOG_LEVEL: 'silent'
    };
    fn = await run(errorIntake, { overrides: env });
    offline = await run(errorIntake, { overrides: { ...env, CORTEX_OIDC_DISCOVERY_URL: 'http://127.0.0.1:9' } });
    open = await run(errorIntake, {
      overrides: { ...env, CORTEX_EVENT_AUTH: 'off', CORTEX_LOG_LEVEL: 'info' },
      logDestination: logs.stream
    });
  });
  afterAll(async () => {
    await Promise.all([fn, offline, open].map((f) => f?.stop()));
    await broker?.stop();
    sink?.close();
  });

  it('handles a delivery with a valid token of a Trigger of its namespace, and publishes with its own token', async () => {
    // Prepare
    const before = published.length;
    // Act
    const status = await post(fn, await issuer.mint(TRIGGER, AUDIENCE));
    // Assess
    expect(status).toBe(202);
    expect(published.slice(before)).toEqual([expect.stringMatching(/^Bearer eyJ/)]);
  });

  it.each([
    ['no token', async () => undefined, 401],
    ['a token that is not a JWT', async () => 'nonsense', 401],
    ['an expired token', async () => issuer.mint(TRIGGER, AUDIENCE, -120), 401],
    ['a token for another audience', async () => issuer.mint(TRIGGER, serviceAudience('cortex', 'chat')), 401],
    ['a token of another issuer', async () => (await createLocalIssuer()).mint(TRIGGER, AUDIENCE), 401],
    ['a token of an account in another namespace', async () => issuer.mint('system:serviceaccount:other:x', AUDIENCE), 403]
  ])('refuses %s, and handles or publishes nothing', async (_what, token, status) => {
    // Prepare
    const before = published.length;
    // Act
    const got = await post(fn, await token());
    // Assess
    expect(got).toBe(status);
    expect(published.length).toBe(before);
  });

  it('answers 503 (retried) when the issuer cannot be reached, and 401 without a token whatever the issuer', async () => {
    // Act
    const withToken = await post(offline, await issuer.mint(TRIGGER, AUDIENCE));
    const without = await post(offline);
    // Assess
    expect([withToken, without]).toEqual([503, 401]);
  });

  it('says once at startup that deliveries are not authenticated when CORTEX_EVENT_AUTH=off, and takes events without a token', async () => {
    // Act
    const status = await post(open);
    // Assess
    expect(status).toBe(202);
    expect(logs.lines.filter((l) => String(l.msg).startsWith('CORTEX_EVENT_AUTH=off'))).toHaveLength(1);
  });
});
