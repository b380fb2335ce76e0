/*
 * The relay's memory: a bounded ring of entries, each holding one received CloudEvent as the SSE frames it produced.
 * Ids come from one monotonic sequence per process. The sequence starts at a time-derived value (milliseconds × 1000),
 * so a restarted relay hands out ids above any it handed out before: a browser that reconnects with an id from the old
 * process is told it missed events (`resync`) instead of silently skipping the new process's first ones, and its
 * "render each id once" bookkeeping stays valid.
 */

/** Anything stored in the buffer: it used the ids `seq`..`last` (an event may become more than one frame). */
export interface Sequenced {
  readonly seq: number;
  readonly last: number;
}

/** Where a stream starts: the whole history, after a known id, or after a gap the buffer can no longer fill. */
export type Resume =
  | { readonly kind: 'history' }
  | { readonly kind: 'after'; readonly id: number }
  | { readonly kind: 'resync'; readonly missedFrom: number; readonly oldest: number };

/** The first id of a process whose clock reads `nowMs`. */
export const firstIdAt = (nowMs: number): number => Math.floor(nowMs) * 1000 + 1;

export class EventBuffer<E extends Sequenced> {
  readonly #ring: (E | undefined)[];
  #start = 0;
  #size = 0;
  #next: number;

  constructor(
    readonly capacity: number,
    firstId: number
  ) {
    this.#ring = new Array<E | undefined>(Math.max(0, capacity));
    this.#next = firstId;
  }

  /** The highest id handed out so far (one below the first id when none was). */
  get latest(): number {
    return this.#next - 1;
  }

  /** The lowest id a reader can still get: the oldest buffered entry's, or the next id when nothing is buffered. */
  get oldest(): number {
    return this.#size > 0 ? this.#at(0).seq : this.#next;
  }

  get size(): number {
    return this.#size;
  }

  /** Hands out `count` consecutive ids and returns the first; entries are pushed in the order ids were reserved. */
  reserve(count: number): number {
    const first = this.#next;
    this.#next += Math.max(1, count);
    return first;
  }

  /** Appends an entry, evicting the oldest when full. */
  push(entry: E): void {
    if (this.#ring.length === 0) return;
    if (this.#size < this.#ring.length) {
      this.#ring[(this.#start + this.#size) % this.#ring.length] = entry;
      this.#size++;
      return;
    }
    this.#ring[this.#start] = entry;
    this.#start = (this.#start + 1) % this.#ring.length;
  }

  /** Every buffered entry with an id above `id` (entries whose last id is above it), oldest first. */
  after(id: number): E[] {
    // Entries are sorted by id: binary search for the first one that still has a frame after `id`.
    let lo = 0;
    let hi = this.#size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#at(mid).last > id) hi = mid;
      else lo = mid + 1;
    }
    const out: E[] = [];
    for (let i = lo; i < this.#size; i++) out.push(this.#at(i));
    return out;
  }

  /** The last `n` entries, oldest first. */
  tail(n: number): E[] {
    const count = Math.min(Math.max(0, n), this.#size);
    const out: E[] = [];
    for (let i = this.#size - count; i < this.#size; i++) out.push(this.#at(i));
    return out;
  }

  /** Where a reader that last saw `lastEventId` resumes; the header is absent or empty on a first connect. */
  resumeFrom(lastEventId: string | undefined): Resume {
    return resumeFrom(lastEventId, this.latest, this.oldest);
  }

  #at(i: number): E {
    return this.#ring[(this.#start + i) % this.#ring.length]!;
  }
}

/**
 * The resume math, pure: an id the buffer still covers resumes right after it; an id older than what is buffered,
 * or newer than anything this process issued (a previous process's), means events may be lost, so `resync`.
 * A value that is not an id we could have issued counts as a first connect.
 */
export function resumeFrom(lastEventId: string | undefined, latest: number, oldest: number): Resume {
  if (lastEventId === undefined || !/^\d{1,16}$/.test(lastEventId.trim())) return { kind: 'history' };
  const id = Number(lastEventId.trim());
  if (id > latest || id + 1 < oldest) return { kind: 'resync', missedFrom: id + 1, oldest };
  return { kind: 'after', id };
}
