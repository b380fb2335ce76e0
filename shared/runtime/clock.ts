import { createHash, randomUUID } from 'node:crypto';

/** Time, injected so handlers stay pure and tests control it. */
export interface Clock {
  now(): Date;
}

/** Id minting, injected for the same reason. */
export interface Ids {
  /** A fresh random id, for things with no causing event (a chat session, a CLI send). */
  uuid(): string;
  /** A stable id derived from its parts: the same parts give the same id, on any replica, after any restart. */
  derive(...parts: string[]): string;
}

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
