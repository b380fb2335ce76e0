import type { CloudEvent } from 'cloudevents';
import sseRelay from '../../../../functions/sse-relay/index.js';
import type { Hub } from '../../../../functions/sse-relay/hub.js';
import type { RelayDeps } from '../../../../functions/sse-relay/setup.js';
import type { EventDef } from '../../../../shared/events/define.js';
import { run, type RunningFunction } from '../../../../shared/runtime/run.js';
import { sessionToken } from '../../../../shared/session/token.js';
import { postEvent } from '../../../helpers/events.js';
import { cloudEvent } from '../../../helpers/healing.js';
import type { RedisServer } from '../../../helpers/redis.js';
import { asSent, TEST_KEY_ENV } from '../../../helpers/signing.js';

export const SECRET = 'relay-test-secret-0123456789';
export const OPERATOR_TOKEN = 'relay-operator-token-0123456789';

/** The relay on a real port, and what a test does with it: post events like a Trigger, open streams like a browser. */
export interface Relay {
  fn: RunningFunction;
  hub: Hub;
  /** POSTs a CloudEvent to `/` like a Trigger; fails the test if the relay does not answer 202. */
  post(
    def: EventDef,
    data: unknown,
    extensions?: Record<string, string>,
    mode?: 'binary' | 'structured'
  ): Promise<CloudEvent<unknown>>;
  /** A session id with a random suffix (files run in parallel) and its token. */
  session(name: string): { id: string; token: string; url: string };
  operatorUrl(query?: string): string;
  /** Resolves once no client is connected (a safety bound makes a leak fail instead of hang). */
  drained(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The stores a relay test runs on: in memory, and Redis (a private redis-server for the file). Use as
 * `describe.each(relayStores(redis))`; the Redis variant's environment is read when the suite starts.
 */
export function relayStores(redis: () => RedisServer): Array<[string, () => Record<string, string>]> {
  return [
    ['in memory', () => ({})],
    ['Redis', () => ({ CORTEX_REDIS_URL: redis().url, CORTEX_REDIS_TIMEOUT_MS: '500' })]
  ];
}

export async function startRelay(env: Record<string, string> = {}): Promise<Relay> {
  const fn = await run(sseRelay, {
    overrides: {
      PORT: '0',
      HOST: '127.0.0.1',
      CORTEX_LOG_LEVEL: 'silent',
      CORTEX_SESSION_SECRET: SECRET,
      CORTEX_OPERATOR_TOKEN: OPERATOR_TOKEN,
      CORTEX_RELAY_HEARTBEAT_MS: '200',
      ...TEST_KEY_ENV,
      ...env
    }
  });
  const { hub } = fn.ctx.deps as RelayDeps;
  return {
    fn,
    hub,
    async post(def, data, extensions = {}, mode = 'binary') {
      const ce = cloudEvent(def, asSent(def, data), extensions);
      const res = await postEvent(fn.url, ce, mode);
      if (res.status !== 202) throw new Error(`relay answered ${res.status}: ${await res.text()}`);
      return ce;
    },
    session(name) {
      const id = `${name}-${Math.random().toString(36).slice(2, 10)}`;
      const token = sessionToken(SECRET, id);
      return { id, token, url: `${fn.url}/events?session=${id}&token=${encodeURIComponent(token)}` };
    },
    operatorUrl: (query = '') => `${fn.url}/events?operator=1&token=${OPERATOR_TOKEN}${query}`,
    async drained() {
      for (let i = 0; i < 500; i++) {
        const s = hub.stats();
        if (s.session === 0 && s.operator === 0) return;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error(`clients still connected: ${JSON.stringify(hub.stats())}`);
    },
    stop: () => fn.stop()
  };
}
