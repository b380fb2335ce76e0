import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pool } from '../../../bench/measure.js';
import { errorReport, publish, type StreamedEvent } from '../../helpers/stack.js';
import { pidsOf, scale, sessionsIn, startScaledStack, type ScaledStack } from '../../helpers/scaled.js';

/*
 * DESIGN §5 single flight across replicas (DESIGN §11): an error storm of 10,000 reports from 1,000 sessions for one
 * target, spread over 3 error-intake and 3 coordinator processes sharing Redis, makes exactly one healing, and every
 * session is told the outcome (the relay is one process for now: the operator stream shows whom each event is for).
 */

const REPORTS = 10_000;
const SESSIONS = 1_000;
const IN_FLIGHT = 200;
const target = { namespace: 'demo', service: 'mcp-tools' };

describe('e2e scale: an error storm over replicas', () => {
  let s: ScaledStack;

  beforeAll(async () => {
    s = await startScaledStack('error-intake=3,healing-coordinator=3');
  }, 180_000);
  afterAll(async () => {
    await s?.stop();
  });

  it(`makes exactly one healing of ${REPORTS} reports from ${SESSIONS} sessions, and tells every session`, async () => {
    // Prepare: the target is really down
    await scale(s.stack, 'mcp-tools', 0);
    const pids = pidsOf(s.stack);
    const after = s.ops.events().length;
    const occurredAt = new Date().toISOString();
    const reports = Array.from({ length: REPORTS }, (_, i) => `storm-${String(i % SESSIONS).padStart(4, '0')}`);
    // Act
    const statuses: number[] = [];
    await pool(reports, IN_FLIGHT, async (sessionId) => {
      statuses.push(await publish(s.stack, errorReport(target, { sessionId, occurredAt })));
    });
    const since = (): readonly StreamedEvent[] => s.ops.events().slice(after);
    const ended = (e: StreamedEvent): boolean =>
      e.type === 'dev.cortex.healing.completed' || e.type === 'dev.cortex.healing.failed';
    await s.ops.until(() => since().some(ended), 240_000);
    await s.ops.until(() => sessionsIn(since()).size === SESSIONS, 120_000);
    // Reports still queued when the healing ended are delivered after it: the count is read once the broker is idle.
    await s.stack.sim.waitFor(() => s.stack.broker.stats().pending === 0, { timeoutMs: 240_000 });
    // Assess
    expect(statuses.filter((x) => x === 202)).toHaveLength(REPORTS);
    const started = since().filter((e) => e.type === 'dev.cortex.healing.started');
    const outcomes = since().filter(ended);
    expect(started).toHaveLength(1);
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]!.type).toBe('dev.cortex.healing.completed');
    expect(outcomes[0]!.data.actions).toEqual(['scale_up']);
    expect(since().filter((e) => e.type === 'dev.cortex.remediation.scale_up.requested')).toHaveLength(1);
    // Every report became a healing request the coordinators got (the operator stream is a capped log: not a count)
    const triggers = Object.entries(s.stack.broker.stats().triggers);
    const requested = triggers.find(([k]) => k.endsWith('healing-coordinator-healing-requested'))?.[1];
    // At least once: a report the broker redelivered to intake (a slow answer under the storm) is published again
    // under the same event id, which the coordinators take once; none is lost or dead-lettered.
    expect(requested?.matched).toBeGreaterThanOrEqual(REPORTS);
    expect(requested?.delivered).toBe(requested?.matched);
    expect(requested?.deadLettered).toBe(0);
    expect(pidsOf(s.stack)).toEqual(pids);
  }, 900_000);
});
