import type { Config } from '../../shared/runtime/config.js';
import type { SplitService } from '../../shared/runtime/define-function.js';
import { ConfigError } from '../../shared/runtime/errors.js';

/*
 * What one relay process serves (CORTEX_RELAY_ROLE, docs/security.md). In a cluster the relay runs as two Services on
 * the same Redis: `sse-relay-ingest`, cluster-local, takes the Triggers' deliveries; the public `sse-relay` serves the
 * page and the streams and refuses events, so nobody outside the cluster can put an event into a stream. `npm start`
 * runs one process that does both (`all`).
 */

export type RelayRole = Config['relay']['role'];

/** The cluster-local Service that takes the relay's deliveries. */
export const RELAY_INGEST = 'sse-relay-ingest';

/** The relay's two Services (knative/functions/sse-relay/) and the role each runs. */
export const RELAY_SPLIT: SplitService = {
  ingest: RELAY_INGEST,
  env: { ingest: { CORTEX_RELAY_ROLE: 'ingest' }, routes: { CORTEX_RELAY_ROLE: 'stream' } }
};

/** Whether a process of `role` takes deliveries on `POST /`, and whether it serves `/events` and the page. */
export const takesEvents = (role: RelayRole): boolean => role !== 'stream';
export const servesStreams = (role: RelayRole): boolean => role !== 'ingest';

/** Why a stream-role relay answers 404 to `POST /`, or undefined when it takes deliveries. */
export function refusedEvents(role: RelayRole): string | undefined {
  return takesEvents(role)
    ? undefined
    : `this relay serves streams only (CORTEX_RELAY_ROLE=stream): events reach the streams through the Broker's Triggers, ` +
        `which deliver to ${RELAY_INGEST}, a cluster-local Service`;
}

/**
 * The configuration a role cannot start without: the streams check session and operator tokens; a role that is one of
 * two processes must share its logs through Redis (in memory the other half would never see them).
 *
 * @example
 * relayNeeds(config); // throws ConfigError for CORTEX_RELAY_ROLE=stream without CORTEX_REDIS_URL
 */
export function relayNeeds(config: Pick<Config, 'relay' | 'redis' | 'sessionSecret' | 'operatorToken'>): void {
  const { role } = config.relay;
  const missing = [
    ...(servesStreams(role) && config.sessionSecret === undefined ? ['CORTEX_SESSION_SECRET'] : []),
    ...(servesStreams(role) && config.operatorToken === undefined ? ['CORTEX_OPERATOR_TOKEN'] : []),
    ...(role !== 'all' && config.redis === undefined ? ['CORTEX_REDIS_URL'] : [])
  ];
  if (missing.length > 0)
    throw new ConfigError(
      `sse-relay (CORTEX_RELAY_ROLE=${role}) needs configuration that is not set: ${missing.join(', ')}` +
        (role === 'all' ? '' : ' (the ingest and stream roles share their logs through Redis)')
    );
}
