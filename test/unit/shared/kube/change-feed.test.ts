import { describe, expect, it } from 'vitest';
import { changeSink } from '../../../../shared/kube/change-feed.js';

describe('Change feed: what watches report, waits take', () => {
  it('a change while nobody waits is kept for the next wait, once', async () => {
    // Prepare
    const sink = changeSink();
    // Act
    sink.notify();
    sink.notify();
    const first = await sink.feed.next(1_000);
    const second = await sink.feed.next(20);
    // Assess
    expect({ first, second }).toEqual({ first: true, second: false });
  });

  it('a change wakes a waiting wait before its time is up', async () => {
    // Prepare
    const sink = changeSink();
    // Act
    const waiting = sink.feed.next(10_000);
    setTimeout(() => sink.notify(), 5);
    const started = performance.now();
    const woke = await waiting;
    // Assess
    expect(woke).toBe(true);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('a failed feed wakes once, then answers only by its timer', async () => {
    // Prepare
    const sink = changeSink();
    // Act
    sink.fail();
    sink.notify();
    const once = await sink.feed.next(1_000);
    const after = await sink.feed.next(20);
    // Assess
    expect({ once, after, live: sink.live }).toEqual({ once: true, after: false, live: false });
  });

  it('close ends the watches once and drops what was pending', async () => {
    // Prepare
    let ended = 0;
    const sink = changeSink(() => ended++);
    sink.notify();
    // Act
    sink.feed.close();
    sink.feed.close();
    const woke = await sink.feed.next(20);
    // Assess
    expect({ ended, woke }).toEqual({ ended: 1, woke: false });
  });
});
