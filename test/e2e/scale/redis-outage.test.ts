import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pool } from '../../../bench/measure.js';
import { errorReport, publish, type StreamedEvent } from '../../helpers/stack.js';
import { postEvent, errorReported } from '../../helpers/events.js';
import { pidsOf, scale, sessionsIn, startScaledStack, type ScaledStack } from '../../helpers/scaled.js';

/*
 * Redis stopped for 10 s during an error storm, then started again (DESIGN §11): no process exits, what needs Redis
 * answers 503 and reports not ready while it is down, every report the broker accepted is accounted for (its session
 * joined the healing or was told the outcome it was absorbed by), and the healing completes.
 */

const REPORTS = 2_000;
const target = { namespace: 'demo', service: 'mcp-tools' };

describe('e2e scale: Redis down during a storm', () => {
  let s: ScaledStack;

  beforeAll(async () => {
    // Phase deadlines longer than the outage plus the Triggers' back-off after it (README, Shared state on Redis):
    // a check answer held up by the outage still counts.
    s = await startScaledStack('error-intake=3,healing-coordinator=3', {
      CORTEX_DIAGNOSE_TIMEOUT_MS: '120000',
      CORTEX_REMEDIATE_TIMEOUT_MS: '180000',
      CORTEX_VERIFY_TIMEOUT_MS: '180000'
    });
  }, 180_000);
  afterAll(async () => {
    await s?.stop();
  });

  it('answers 503 while Redis is down, loses no accepted report, and completes the healing', async () => {
    // Prepare
    await scale(s.stack, 'mcp-tools', 0);
    const pids = pidsOf(s.stack);
    const after = s.ops.events().length;
    const intake = s.stack.replicas.get('error-intake')!.replicas()[0]!.url;
    const statuses: number[] = [];
    let sent = 0;
    const occurredAt = new Date().toISOString();
    // Act: the storm runs; a fifth of the way in, Redis stops for 10 s
    const storm = pool(
      Array.from({ length: REPORTS }, (_, i) => `outage-${i}`),
      100,
      async (sessionId) => {
        sent++;
        statuses.push(await publish(s.stack, errorReport(target, { sessionId, occurredAt })));
      }
    );
    while (sent < REPORTS / 5) await new Promise((r) => setTimeout(r, 50));
    await s.redis.stop();
    const downAt = Date.now();
    const probes: number[] = [];
    let ready = 200;
    while (Date.now() - downAt < 10_000) {
      probes.push((await postEvent(intake, errorReported({}, `probe-${probes.length}`))).status);
      ready = (await fetch(`${intake}/health/readiness`)).status;
      await new Promise((r) => setTimeout(r, 1_000));
    }
    await s.redis.start();
    await storm;
    const since = (): readonly StreamedEvent[] => s.ops.events().slice(after);
    const ended = (e: StreamedEvent): boolean =>
      e.type === 'dev.cortex.healing.completed' || e.type === 'dev.cortex.healing.failed';
    await s.ops.until(() => since().some(ended), 240_000);
    const outcome = since().find(ended)!;
    expect([outcome.type, outcome.data.reasonCode, outcome.data.reason]).toEqual([
      'dev.cortex.healing.completed',
      undefined,
      undefined
    ]);
    await s.ops.until(() => sessionsIn(since()).size >= REPORTS, 180_000);
    // Assess
    expect(statuses.filter((x) => x === 202)).toHaveLength(REPORTS);
    expect(probes.filter((x) => x === 503).length).toBeGreaterThan(0);
    expect(probes.every((x) => x === 503 || x === 202)).toBe(true);
    expect(ready).toBe(503);
    expect([...sessionsIn(since())].filter((x) => x.startsWith('outage-'))).toHaveLength(REPORTS);
    const forTarget = since().filter((e) => (e.data.target as { service?: string } | undefined)?.service === 'mcp-tools');
    expect(forTarget.filter((e) => e.type === 'dev.cortex.healing.started')).toHaveLength(1);
    expect(outcome.data.actions).toEqual(['scale_up']);
    expect(pidsOf(s.stack)).toEqual(pids);
  }, 600_000);
});
