import * as z from 'zod';

/*
 * What every event schema is built from: the size limits, timestamps and the shapes of lists. The catalog and its
 * schema modules import these; nothing here imports them back.
 */

/**
 * The size limits of event data, named once: producers cut their text and lists to these before they emit, so an
 * answer that does not fit never fails at publish time, after the work was done.
 *
 * @example
 * summary.slice(0, LIMITS.summary);
 */
export const LIMITS = Object.freeze({
  /** Free text a human reads at length: messages, details, a healing's reason. */
  text: 4096,
  /** One-paragraph text: summaries, manual steps, URLs. */
  summary: 2048,
  /** A sentence: why something is recommended, audited or delayed. */
  reason: 1024,
  /** What a piece of evidence is about. */
  subject: 512,
  /** Ids, session ids and short codes. */
  id: 256,
  /** Component names and error codes. */
  name: 128,
  /** Findings and manual steps of one outcome. */
  steps: 50,
  /** Evidence items and changes of one outcome. */
  items: 200
});

/** RFC 3339 timestamp with an offset, as CloudEvents and Kubernetes write them. */
export const Timestamp = z.iso.datetime({ offset: true });

/** Ids of sessions and reports an event carries. */
export const ids = z.array(z.string().min(1).max(LIMITS.id)).max(10_000);

/*
 * Lists default to empty when absent. Producers always send them; a consumer that accepts their absence keeps every
 * type replayable by type alone with `kn event send`, which has no syntax for arrays.
 */
export const list = <T extends z.ZodType>(item: T, max: number) => z.array(item).max(max).default([]);
export const idList = ids.default([]);
