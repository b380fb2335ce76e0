import type { Intent } from '../../shared/events/define.js';
import type { TargetState } from './state.js';

/*
 * What a deadline tick decided, kept with the target's state (in the same compare-and-set) until it is known to be
 * published. A delivery's decision is safe without it: the broker redelivers and the saga's outbox replays. A tick's
 * is not: if the replica that committed it dies before publishing, no one would send what was decided. So the tick
 * publishes, then drops the entry; an entry older than REPUBLISH_MS was left by a replica that died, and any
 * replica's tick publishes it again with the same cause, so the same event ids (receivers dedupe on them).
 */

export interface Unpublished {
  /** The cause id the intents are published under: `<tick id>:<state key>`. */
  id: string;
  intents: Intent[];
  trace?: string | undefined;
  /** When it was decided (epoch ms). */
  at: number;
}

/** The target's state as the store keeps it: the saga's state and the runner's unpublished tick decisions. */
export type Stored = TargetState & { unpublished?: Unpublished[] };

export const REPUBLISH_MS = 5_000;

/** The state with exactly these unpublished entries (none: the field is left out). */
export function withUnpublished(state: TargetState, list: readonly Unpublished[]): Stored {
  const { unpublished: _dropped, ...rest } = state as Stored;
  return list.length > 0 ? { ...rest, unpublished: [...list] } : rest;
}

/** The earlier of the saga's due time and the moment the oldest unpublished entry is due for a second try. */
export function dueWithUnpublished(s: Stored, due: number | undefined): number | undefined {
  const oldest = s.unpublished?.[0];
  if (!oldest) return due;
  return Math.min(due ?? Number.POSITIVE_INFINITY, oldest.at + REPUBLISH_MS);
}

/** Entries a dead replica left: older than REPUBLISH_MS. */
export const stale = (s: Stored, now: number): Unpublished[] =>
  (s.unpublished ?? []).filter((u) => u.at + REPUBLISH_MS <= now);
