/*
 * A change feed: watches report changes into it, a wait takes them out. A change that arrives while nobody waits is
 * kept (one flag, not a queue: the waiter re-reads the whole state anyway), so nothing between two reads is missed.
 */

export interface ChangeFeed {
  /**
   * Resolves `true` at the first change since the previous call (at once if one is pending), or `false` after `ms`
   * without one. A closed feed answers `false` after `ms`: the caller's own timer still bounds the wait.
   */
  next(ms: number): Promise<boolean>;
  /** Ends the watches behind the feed. Idempotent. */
  close(): void;
}

export interface ChangeSink {
  readonly feed: ChangeFeed;
  /** Something changed. */
  notify(): void;
  /** The watches ended for good (refused, failed): waits fall back to their timers. */
  fail(): void;
  /** Whether the feed still reports changes. */
  readonly live: boolean;
}

/**
 * A feed and the handle its watches report into; `onClose` ends the watches.
 *
 * @example
 * const sink = changeSink(() => controller.abort());
 * watch(..., () => sink.notify());
 * await sink.feed.next(500); // true on a change, false after 500 ms
 */
export function changeSink(onClose: () => void = () => {}): ChangeSink {
  let pending = false;
  let live = true;
  let closed = false;
  let wake: ((changed: boolean) => void) | undefined;

  const notify = (): void => {
    if (!live) return;
    if (wake) {
      const w = wake;
      wake = undefined;
      w(true);
    } else pending = true;
  };
  const feed: ChangeFeed = {
    next(ms) {
      if (pending) {
        pending = false;
        return Promise.resolve(true);
      }
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          wake = undefined;
          resolve(false);
        }, ms);
        wake = (changed) => {
          clearTimeout(timer);
          resolve(changed);
        };
      });
    },
    close() {
      if (closed) return;
      closed = true;
      live = false;
      pending = false;
      onClose();
    }
  };
  return {
    feed,
    notify,
    fail() {
      // One last wake: whatever the watch missed before failing is re-read now, then timers take over.
      notify();
      live = false;
    },
    get live() {
      return live;
    }
  };
}
