import { describe, expect, it } from 'vitest';
import { pollUntil, settle, waitBound } from '../../../../shared/diagnosis/wait.js';
import { createFakeClock, createFakeCtx } from '../../../fakes/ctx.js';
import { checkSetup, type CheckFinding } from '../../../../shared/diagnosis/check.js';
import { changeSink } from '../../../../shared/kube/change-feed.js';

const limits = { waitMs: 20_000, pollMs: 500 };
const req = (phase: 'diagnose' | 'verify', deadline?: string) => ({
  healingId: 'h',
  target: { namespace: 'demo', service: 'x' },
  phase,
  deadline: deadline ? new Date(deadline) : undefined
});

describe('Diagnosis: bounded waiting', () => {
  it.each([
    ['diagnose phase: no wait', req('diagnose'), undefined],
    ['verify without deadline: the configured wait', req('verify'), '2026-11-27T10:00:20.000Z'],
    [
      'verify with a far deadline: the configured wait',
      req('verify', '2026-11-27T10:05:00.000Z'),
      '2026-11-27T10:00:20.000Z'
    ],
    [
      'verify with a near deadline: one poll before it',
      req('verify', '2026-11-27T10:00:05.000Z'),
      '2026-11-27T10:00:04.500Z'
    ],
    ['verify past the deadline: no wait', req('verify', '2026-11-27T09:59:00.000Z'), undefined]
  ])('%s', (_name, r, until) => {
    // Act
    const end = waitBound(r, limits, createFakeClock());
    // Assess
    expect(end?.toISOString()).toBe(until);
  });

  it('polls until done, sleeping between probes, with a clock that moves', async () => {
    // Prepare
    const clock = createFakeClock();
    const sleeps: number[] = [];
    let n = 0;
    // Act
    const { result, polls } = await pollUntil(
      async () => ++n,
      (x) => x >= 3,
      {
        clock,
        until: new Date(clock.now().getTime() + 10_000),
        intervalMs: 1000,
        sleep: async (ms) => (sleeps.push(ms), clock.advance(ms))
      }
    );
    // Assess
    expect({ result, polls, sleeps }).toEqual({ result: 3, polls: 3, sleeps: [1000, 1000] });
  });

  it('stops at the time bound and returns the last result', async () => {
    // Prepare
    const clock = createFakeClock();
    // Act
    const { result, polls } = await pollUntil(
      async () => 'still bad',
      () => false,
      {
        clock,
        until: new Date(clock.now().getTime() + 2_500),
        intervalMs: 1000,
        sleep: async (ms) => clock.advance(ms)
      }
    );
    // Assess
    expect({ result, polls }).toEqual({ result: 'still bad', polls: 3 });
  });

  it('settles at once when a final finding says waiting cannot help', async () => {
    // Prepare
    const ctx = createFakeCtx({ env: { CORTEX_CHECK_WAIT_MS: '100', CORTEX_CHECK_POLL_MS: '5' }, setup: checkSetup });
    let looks = 0;
    const gone: CheckFinding = { verdict: 'problem', summary: 'gone', evidence: [] };
    // Act
    const out = await settle(
      async () => (looks++, gone),
      req('verify'),
      ctx,
      (f) => f.summary === 'gone'
    );
    // Assess
    expect({ out, looks }).toEqual({ out: gone, looks: 1 });
  });

  it('with a change feed, probes again on each change instead of waiting out the interval', async () => {
    // Prepare
    const clock = createFakeClock();
    const sink = changeSink();
    let n = 0;
    const probe = async (): Promise<number> => {
      n += 1;
      if (n < 3) setTimeout(() => sink.notify(), 1);
      return n;
    };
    // Act
    const started = performance.now();
    const { result, polls } = await pollUntil(probe, (x) => x >= 3, {
      clock,
      until: new Date(clock.now().getTime() + 60_000),
      intervalMs: 30_000,
      changes: sink.feed
    });
    // Assess
    expect({ result, polls }).toEqual({ result: 3, polls: 3 });
    expect(performance.now() - started).toBeLessThan(20_000);
  });

  it('settle opens the watches it is given and closes them when done', async () => {
    // Prepare
    const ctx = createFakeCtx({ env: { CORTEX_CHECK_WAIT_MS: '60000', CORTEX_CHECK_POLL_MS: '30000' }, setup: checkSetup });
    const opened: string[] = [];
    let closed = 0;
    const sink = changeSink(() => closed++);
    const kube = {
      watchChanges: async (ns: string, targets: readonly { kind: string }[]) => {
        opened.push(`${ns}:${targets.map((t) => t.kind).join(',')}`);
        return sink.feed;
      }
    };
    let looks = 0;
    const look = async (): Promise<CheckFinding> => {
      looks += 1;
      if (looks === 1) setTimeout(() => sink.notify(), 1);
      return { verdict: looks >= 2 ? 'healthy' : 'problem', summary: String(looks), evidence: [] };
    };
    // Act
    const out = await settle(look, req('verify'), { ...ctx, kube }, undefined, [{ kind: 'pods' }]);
    // Assess
    expect({ verdict: out.verdict, looks, opened, closed }).toEqual({
      verdict: 'healthy',
      looks: 2,
      opened: ['demo:pods'],
      closed: 1
    });
  });

  it('settle polls on its timer when the watches are refused', async () => {
    // Prepare
    const ctx = createFakeCtx({ env: { CORTEX_CHECK_WAIT_MS: '5000', CORTEX_CHECK_POLL_MS: '5' }, setup: checkSetup });
    const kube = { watchChanges: async () => Promise.reject(new Error('forbidden')) };
    let looks = 0;
    const look = async (): Promise<CheckFinding> => {
      looks += 1;
      ctx.clock.advance?.(5);
      return { verdict: looks >= 3 ? 'healthy' : 'problem', summary: String(looks), evidence: [] };
    };
    // Act
    const out = await settle(look, req('verify'), { ...ctx, kube }, undefined, [{ kind: 'pods' }]);
    // Assess
    expect({ verdict: out.verdict, looks }).toEqual({ verdict: 'healthy', looks: 3 });
  });
});
