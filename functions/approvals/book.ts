import { Events } from '../../shared/events/catalog.js';
import type { DataOf, Intent } from '../../shared/events/define.js';
import { approvalDigest } from '../../shared/approval/digest.js';

/*
 * The approvals function's record of requests (pure): what the coordinator asked, and what became of each. Kept as one
 * value behind the Store port (memory, or Redis shared by replicas), changed only by compare-and-set, so two operators
 * deciding the same request at once make one decision.
 */

export type ApprovalRequest = DataOf<typeof Events.ApprovalRequested>;
export type Decision = 'approve' | 'deny';

export interface Entry {
  request: ApprovalRequest;
  status: 'pending' | 'approved' | 'denied' | 'closed';
  receivedAt: string;
  decidedBy?: string;
  decidedAt?: string;
  reason?: string;
}

export interface Book {
  entries: Entry[];
}

/** The key of the book in the store. */
export const BOOK_KEY = 'approvals:book';
/** Requests kept, newest last: decided ones stay for the record until this many newer ones push them out. */
export const MAX_ENTRIES = 200;

export const emptyBook = (): Book => ({ entries: [] });

const expired = (e: Entry, now: Date): boolean => new Date(e.request.expiresAt).getTime() <= now.getTime();

/** Whether a request is still waiting for a human. */
export const isPending = (e: Entry, now: Date): boolean => e.status === 'pending' && !expired(e, now);

/**
 * Adds a request, unless its digest does not match its fields (a request altered on the way) or it is known already.
 *
 * @example
 * addRequest(book, data, now); // → { book: { entries: [{ request: data, status: 'pending', … }] }, added: true }
 */
export function addRequest(
  book: Book,
  request: ApprovalRequest,
  now: Date
): { book: Book; result: 'added' | 'known' | 'bad_digest' } {
  if (approvalDigest(request) !== request.digest) return { book, result: 'bad_digest' };
  if (book.entries.some((e) => e.request.approvalId === request.approvalId)) return { book, result: 'known' };
  const entry: Entry = { request, status: 'pending', receivedAt: now.toISOString() };
  return { book: { entries: [...book.entries, entry].slice(-MAX_ENTRIES) }, result: 'added' };
}

/** Closes the pending requests of a healing that ended: nobody may decide them any more. */
export function closeHealing(book: Book, healingId: string): Book {
  if (!book.entries.some((e) => e.request.healingId === healingId && e.status === 'pending')) return book;
  return {
    entries: book.entries.map((e) =>
      e.request.healingId === healingId && e.status === 'pending' ? { ...e, status: 'closed' } : e
    )
  };
}

export type DecideResult =
  | { kind: 'decided'; entry: Entry; intent: Intent }
  | { kind: 'not_found' }
  | { kind: 'expired'; entry: Entry }
  | { kind: 'closed'; entry: Entry };

/**
 * Records an operator's decision on a pending request and the `approval.decided` it emits (the runtime signs it).
 *
 * @example
 * decide(book, 'a-1', { decision: 'approve', by: 'operator:alice', reason: '', now });
 * // → { book, result: { kind: 'decided', entry, intent: { type: 'dev.cortex.approval.decided', data: { … } } } }
 */
export function decide(
  book: Book,
  approvalId: string,
  d: { decision: Decision; by: string; reason: string; now: Date }
): { book: Book; result: DecideResult } {
  const i = book.entries.findIndex((e) => e.request.approvalId === approvalId);
  const entry = book.entries[i];
  if (!entry) return { book, result: { kind: 'not_found' } };
  if (entry.status !== 'pending') return { book, result: { kind: 'closed', entry } };
  if (expired(entry, d.now)) return { book, result: { kind: 'expired', entry } };
  const decidedAt = d.now.toISOString();
  const next: Entry = {
    ...entry,
    status: d.decision === 'approve' ? 'approved' : 'denied',
    decidedBy: d.by,
    decidedAt,
    reason: d.reason
  };
  const { request: r } = entry;
  const intent = Events.ApprovalDecided.intent({
    approvalId: r.approvalId,
    healingId: r.healingId,
    target: r.target,
    action: r.action,
    digest: r.digest,
    decision: d.decision,
    decidedBy: d.by,
    decidedAt,
    reason: d.reason
  });
  const entries = book.entries.with(i, next);
  return { book: { entries }, result: { kind: 'decided', entry: next, intent } };
}

/** Undoes a decision whose event could not be published: the request waits again. */
export function reopen(book: Book, approvalId: string): Book {
  return {
    entries: book.entries.map((e) => {
      if (e.request.approvalId !== approvalId || e.status === 'pending' || e.status === 'closed') return e;
      const { decidedBy: _b, decidedAt: _a, reason: _r, ...rest } = e;
      return { ...rest, status: 'pending' };
    })
  };
}

/** How an entry is shown to operators (GET /approvals): the request, its state, and who decided. */
export function view(e: Entry, now: Date): Record<string, unknown> {
  const status = e.status === 'pending' && expired(e, now) ? 'expired' : e.status;
  return {
    ...e.request,
    status,
    receivedAt: e.receivedAt,
    ...(e.decidedBy ? { decidedBy: e.decidedBy, decidedAt: e.decidedAt, decisionReason: e.reason } : {})
  };
}
