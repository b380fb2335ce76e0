import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../../local/stack/index.js';
import { sessionToken } from '../../../shared/session/token.js';
import { pool } from '../../../bench/measure.js';
import { kubectl } from '../../helpers/kubectl.js';
import { openSse, dataOf, type SseClient } from '../../helpers/sse.js';
import { cloudEvents, errorReport, operatorStream, outcomeFor, publish, startTestStack } from '../../helpers/stack.js';

/*
 * DESIGN §5 single flight and budget on the local stack: an error storm for one target makes exactly one healing,
 * every reporting session gets the outcome, and a fourth failure within the window is escalated.
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

  it('escalates the fourth failure of a target within the window, with no remediation', async () => {
    // Prepare: three healings of a healthy target, one after another (each report after the previous run ended)
    const target = { namespace: 'demo', service: 'legacy-api' };
    const outcomes = [];
    for (let i = 0; i < 3; i++) {
      const after = cloudEvents(ops).length;
      await publish(stack, errorReport(target));
      outcomes.push(await outcomeFor(ops, 'legacy-api', after));
    }
    const after = cloudEvents(ops).length;
    // Act
    await publish(stack, errorReport(target, { sessionId: 'escalated-session' }));
    const fourth = await outcomeFor(ops, 'legacy-api', after);
    // Assess
    expect(outcomes.map((o) => o.type)).toEqual(Array(3).fill('dev.cortex.healing.completed'));
    expect(fourth.type).toBe('dev.cortex.healing.failed');
    expect(fourth.data.reasonCode).toBe('escalated');
    expect(fourth.data.sessionIds).toEqual(['escalated-session']);
    const since = cloudEvents(ops).slice(after);
    expect(
      since.filter((e) => e.type.startsWith('dev.cortex.remediation.') || e.type === 'dev.cortex.healing.started')
    ).toEqual([]);
  });
});
