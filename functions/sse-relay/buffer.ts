import { compareEventIds } from '../../shared/sse/event-id.js';

/*
 * A bounded ring of log entries in id order, for the in-memory log: appending to a full ring evicts the oldest entry,
 * as `XADD … MAXLEN` trims a Redis stream. The slots grow with the entries up to the capacity: a relay holds one
 * ring per session, most of them with a handful of entries, and a preallocated 1,000-slot array was 8 KiB each.
 */

export interface Identified {
  readonly id: string;
}

export class Ring<E extends Identified> {
  readonly #slots: E[] = [];
  readonly #capacity: number;
  #start = 0;
  #size = 0;

  constructor(readonly capacity: number) {
    this.#capacity = Math.max(1, capacity);
  }

  get size(): number {
    return this.#size;
  }

  get first(): E | undefined {
    return this.#size > 0 ? this.#at(0) : undefined;
  }

  get last(): E | undefined {
    return this.#size > 0 ? this.#at(this.#size - 1) : undefined;
  }

  /** Appends an entry (its id above every kept one); returns the entry it evicted, if the ring was full. */
  push(entry: E): E | undefined {
    // Until full, the ring never wrapped (#start is 0): the entry goes at the end.
    if (this.#slots.length < this.#capacity) {
      this.#slots.push(entry);
      this.#size++;
      return undefined;
    }
    const evicted = this.#slots[this.#start];
    this.#slots[this.#start] = entry;
    this.#start = (this.#start + 1) % this.#slots.length;
    return evicted;
  }

  /** Every kept entry with an id above `id`, oldest first. */
  after(id: string): E[] {
    let lo = 0;
    let hi = this.#size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareEventIds(this.#at(mid).id, id) > 0) hi = mid;
      else lo = mid + 1;
    }
    const out: E[] = [];
    for (let i = lo; i < this.#size; i++) out.push(this.#at(i));
    return out;
  }

  /** The oldest of the last `n` entries. */
  tailFirst(n: number): E | undefined {
    const count = Math.min(Math.max(0, n), this.#size);
    return count > 0 ? this.#at(this.#size - count) : undefined;
  }

  #at(i: number): E {
    return this.#slots[(this.#start + i) % this.#slots.length]!;
  }
}
