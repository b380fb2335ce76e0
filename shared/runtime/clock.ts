import { createHash, randomUUID } from 'node:crypto';

import type { Clock, Ids } from '../events/envelope.js';

// The ports are declared where envelopes are stamped (the ground floor); the system implementations live here.
export type { Clock, Ids };

export const systemClock: Clock = { now: () => new Date() };

/**
 * Hash-based ids. Deterministic ids are what make redelivery safe: a retried input emits the same output ids and
 * consumers dedupe on (source, id).
 *
 * @example
 * systemIds.derive('/cortex/chat', 'evt-1', 'dev.cortex.error.reported', '0'); // same every time
 */
export const systemIds: Ids = {
  uuid: () => randomUUID(),
  derive: (...parts) => createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 27)
};
