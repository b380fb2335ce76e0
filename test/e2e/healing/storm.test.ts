import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../../local/stack/index.js';
import { sessionToken } from '../../../shared/session/token.js';
import { pool } from '../../../bench/measure.js';
import { createWorkload } from '../../helpers/kube-sim.js';
import { kubectl } from '../../helpers/kubectl.js';
import { openSse, dataOf, type SseClient } from '../../helpers/sse.js';
import { cloudEvents, errorReport, operatorStream, outcomeFor, publish, startTestStack } from '../../helpers/stack.js';

/*
 * DESIGN §5 single flight and budget on the local stack: an error storm for one target makes exactly one healing,
 * every reporting session gets the outcome; healings that find the target healthy spend no budget, and a workload
 * that needs a fix a fourth time within the window is escalated, visibly for every later report.
 */

const STORM = 2000;
/** Reports in flight at once: a storm, bounded only so the client side does not exhaust its own sockets. */
const IN_FLIGHT = 250;

async function publishScale(stack: LocalStack, replicas: number): Promise<void> {
  const r = await kubectl(stack.state.kubeconfig, ['-n', 'demo', 'scale', 'deploy/mcp-tools', `--replicas=${replicas}`]);
  if (r.code !== 0) throw new Error(r.stderr);
}

describe('e2e: error storms and the healing budget', () => {
  let stack: LocalStack;
  let ops: SseClient;

  beforeAll(async () => {
    stack = await startTestStack();
    ops = await operatorStream(stack);
  });
  afterAll(async () => {
    ops?.close();
    await stack?.stop();
  });

  it(`makes exactly one healing of ${STORM} concurrent error reports for one target, and tells every session`, async () => {
    // Prepare: the target is really down; a sample of the sessions listens on the relay like browsers would.
    await publishScale(stack, 0);
    const sessions = Array.from({ length: STORM }, (_, i) => `storm-session-${String(i).padStart(4, '0')}`);
    const secret = stack.functions.get('sse-relay')!.config.sessionSecret!;
    const sample = sessions.filter((_, i) => i % 100 === 0);
    const listeners = await Promise.all(
      sample.map((s) => openSse(`${stack.state.frontDoor}/events?session=${s}&token=${sessionToken(secret, s)}`))
    );
    const after = cloudEvents(ops).length;
    const occurredAt = new Date().toISOString();
    // Act
    const statuses: number[] = [];
    await pool(sessions, IN_FLIGHT, async (sessionId) => {
      statuses.push(
        await publish(stack, errorReport({ namespace: 'demo', service: 'mcp-tools' }, { sessionId, occurredAt }))
      );
    });
    const outcome = await outcomeFor(ops, 'mcp-tools', after, 120_000);
    // Assess
    expect(statuses.filter((s) => s === 202)).toHaveLength(STORM);
    expect(outcome.data.actions).toEqual(['scale_up']);
    const started = cloudEvents(ops)
      .slice(after)
      .filter((e) => e.type === 'dev.cortex.healing.started');
    expect(started).toHaveLength(1);
    // Reports still in Knative-style retry when the run ended occurred before its end: they are absorbed, and their
    // sessions are told the outcome then. Every session is reached, by the start, a join, or an absorption.
    const reached = (): Set<string> =>
      new Set(
        cloudEvents(ops)
          .slice(after)
          .flatMap((e) => (e.data.sessionIds as string[] | undefined) ?? [])
      );
    await ops
      .until(() => reached().size === STORM, 60_000)
      .catch(() => {
        const evs = cloudEvents(ops).slice(after);
        const dl = evs.filter((e) => e.knativeerrordest);
        const counts: Record<string, number> = {};
        for (const e of evs) counts[e.type] = (counts[e.type] ?? 0) + 1;
        throw new Error(
          `reached ${reached().size}; dead letters ${dl.length} ${JSON.stringify(dl.slice(0, 2).map((e) => [e.type, e.knativeerrordest, e.knativeerrorcode]))}; ${JSON.stringify(counts)}`
        );
      });
    expect(
      cloudEvents(ops)
        .slice(after)
        .filter((e) => e.type === 'dev.cortex.healing.started')
    ).toHaveLength(1);
    const terminal = outcome.type === 'dev.cortex.healing.completed' ? 'healing_complete' : 'healing_failed';
    await Promise.all(listeners.map((l) => l.until((c) => dataOf(c.messages, terminal).length > 0, 60_000)));
    for (const l of listeners)
      expect(dataOf<{ healingId: string }>(l.messages, terminal)[0]?.healingId).toBe(outcome.data.healingId);
    for (const l of listeners) l.close();
  });
});

describe('e2e: a budget that counts harm, not noise', () => {
  let stack: LocalStack;
  let ops: SseClient;

  beforeAll(async () => {
    stack = await startTestStack();
    ops = await operatorStream(stack);
  });
  afterAll(async () => {
    ops?.close();
    await stack?.stop();
  });

  async function scaleZero(service: string): Promise<void> {
    const r = await kubectl(stack.state.kubeconfig, ['-n', 'demo', 'scale', `deploy/${service}`, '--replicas=0']);
    if (r.code !== 0) throw new Error(r.stderr);
    await stack.sim.waitFor(() => stack.sim.list('Pod', 'demo', `app=${service}`).length === 0, {
      message: `${service} at zero`
    });
  }
  async function reportOf(service: string, sessionId?: string) {
    const after = cloudEvents(ops).length;
    await publish(stack, errorReport({ namespace: 'demo', service }, sessionId ? { sessionId } : {}));
    return outcomeFor(ops, service, after);
  }

  it('three healings that find the target healthy, then a scale to zero: healed, not escalated (noise spends no budget)', async () => {
    // Prepare: three reports of a healthy target, one after another
    await createWorkload(stack.sim, 'noisy');
    // Up means ready and behind its Service: a report before that finds a real (starting) problem, not noise
    const ready = (): boolean => {
      const ep = stack.sim.get('Endpoints', 'demo', 'noisy') as { subsets?: Array<{ addresses?: unknown[] }> } | undefined;
      return (ep?.subsets ?? []).some((s) => (s.addresses ?? []).length > 0);
    };
    await stack.sim.waitFor(ready, { message: 'noisy up' });
    const noise = [];
    for (let i = 0; i < 3; i++) noise.push(await reportOf('noisy'));
    await scaleZero('noisy');
    // Act
    const outage = await reportOf('noisy');
    // Assess
    expect(noise.map((o) => [o.type, o.data.actions])).toEqual(Array(3).fill(['dev.cortex.healing.completed', []]));
    expect(outage.type).toBe('dev.cortex.healing.completed');
    expect(outage.data.actions).toEqual(['scale_up']);
  });

  it('escalates a workload that needs a fix again and again, and shows a later report on the operator stream', async () => {
    // Prepare: three scale-ups, each healed it for a while
    await createWorkload(stack.sim, 'flappy');
    for (let i = 0; i < 3; i++) {
      await stack.sim.waitFor(() => stack.sim.list('Pod', 'demo', 'app=flappy').length === 1, { message: 'flappy up' });
      await scaleZero('flappy');
      expect((await reportOf('flappy')).data.actions).toEqual(['scale_up']);
    }
    await stack.sim.waitFor(() => stack.sim.list('Pod', 'demo', 'app=flappy').length === 1, { message: 'flappy up' });
    await scaleZero('flappy');
    const after = cloudEvents(ops).length;
    // Act
    const fourth = await reportOf('flappy', 'escalated-session');
    const later = await reportOf('flappy');
    // Assess
    expect(fourth.type).toBe('dev.cortex.healing.failed');
    expect(fourth.data).toMatchObject({ reasonCode: 'escalated', sessionIds: ['escalated-session'] });
    expect(String(fourth.data.reason)).toMatch(
      /^demo\/flappy needs a fix again and again: Cortex changed it 3 times in the last 15 min \(scale_up at/
    );
    expect(String(fourth.data.reason)).toMatch(/automatic healing resumes at \d{4}-\d\d-\d\dT/);
    expect(fourth.data.findings).toHaveLength(9);
    expect(typeof fourth.data.resumesAt).toBe('string');
    // A report without a session during the escalation: told on the operator stream, the same words, the resume time.
    expect(later.data).toMatchObject({
      reasonCode: 'escalated',
      reason: fourth.data.reason,
      resumesAt: fourth.data.resumesAt
    });
    expect(
      cloudEvents(ops)
        .slice(after)
        .filter((e) => e.type.startsWith('dev.cortex.remediation.'))
    ).toEqual([]);
  });
});
