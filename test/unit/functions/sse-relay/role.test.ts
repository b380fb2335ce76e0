import { describe, expect, it } from 'vitest';
import sseRelay from '../../../../functions/sse-relay/index.js';
import { refusedEvents, relayNeeds, servesStreams, takesEvents } from '../../../../functions/sse-relay/role.js';
import { loadConfig } from '../../../../shared/runtime/config.js';
import { ConfigError } from '../../../../shared/runtime/errors.js';
import { missingKeys } from '../../../../shared/trust/trust.js';

/*
 * What each relay role serves and needs (CORTEX_RELAY_ROLE): `all` both halves in one process, `ingest` the
 * deliveries, `stream` the page and the streams, refusing events.
 */

const SECRETS = { CORTEX_SESSION_SECRET: 's'.repeat(16), CORTEX_OPERATOR_TOKEN: 'o'.repeat(16) };
const REDIS = { CORTEX_REDIS_URL: 'redis://127.0.0.1:6379/0' };

describe('Function: sse-relay, roles', () => {
  it('defaults to all; each role takes events or serves streams or both', () => {
    // Act
    const roles = (['all', 'ingest', 'stream'] as const).map((r) => [r, takesEvents(r), servesStreams(r)]);
    // Assess
    expect(loadConfig({ CORTEX_RELAY_ROLE: undefined }).relay.role).toBe('all');
    expect(roles).toEqual([
      ['all', true, true],
      ['ingest', true, false],
      ['stream', false, true]
    ]);
  });

  it('refuses an unknown role at startup', () => {
    // Act
    const load = (): unknown => loadConfig({ CORTEX_RELAY_ROLE: 'both' });
    // Assess
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/CORTEX_RELAY_ROLE/);
  });

  it('answers why the stream role refuses POST / and names where events go; the others take them', () => {
    // Act
    const [all, ingest, stream] = (['all', 'ingest', 'stream'] as const).map((r) =>
      sseRelay.refuseEvents?.(loadConfig({ ...REDIS, CORTEX_RELAY_ROLE: r }))
    );
    // Assess
    expect([all, ingest]).toEqual([undefined, undefined]);
    expect(stream).toBe(refusedEvents('stream'));
    expect(stream).toMatch(/CORTEX_RELAY_ROLE=stream.*sse-relay-ingest/);
  });

  it('needs the tokens where it streams and Redis where it is one of two processes', () => {
    // Prepare
    const needs = (env: Record<string, string | undefined>): string | undefined => {
      try {
        relayNeeds(
          loadConfig({
            CORTEX_REDIS_URL: undefined,
            CORTEX_SESSION_SECRET: undefined,
            CORTEX_OPERATOR_TOKEN: undefined,
            ...env
          })
        );
        return undefined;
      } catch (err) {
        return (err as Error).message;
      }
    };
    // Act
    const answers = {
      all: needs({ ...SECRETS }),
      allNoTokens: needs({}),
      ingest: needs({ ...REDIS, CORTEX_RELAY_ROLE: 'ingest' }),
      ingestNoRedis: needs({ ...SECRETS, CORTEX_RELAY_ROLE: 'ingest' }),
      stream: needs({ ...SECRETS, ...REDIS, CORTEX_RELAY_ROLE: 'stream' }),
      streamNoToken: needs({ ...REDIS, CORTEX_SESSION_SECRET: SECRETS.CORTEX_SESSION_SECRET, CORTEX_RELAY_ROLE: 'stream' })
    };
    // Assess
    expect(answers.all).toBeUndefined();
    expect(answers.allNoTokens).toMatch(/CORTEX_SESSION_SECRET, CORTEX_OPERATOR_TOKEN$/);
    expect(answers.ingest).toBeUndefined();
    expect(answers.ingestNoRedis).toMatch(/CORTEX_RELAY_ROLE=ingest.*CORTEX_REDIS_URL/);
    expect(answers.stream).toBeUndefined();
    expect(answers.streamNoToken).toMatch(/: CORTEX_OPERATOR_TOKEN \(/);
  });

  it('needs the stream key only where it takes events', () => {
    // Act
    const missing = (verifies: boolean) => missingKeys(sseRelay, {}, { verifies });
    // Assess
    expect(missing(true)).toEqual(['stream']);
    expect(missing(false)).toEqual([]);
  });
});
