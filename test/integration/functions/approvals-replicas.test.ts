import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import approvals from '../../../functions/approvals/index.js';
import { approvalDigest } from '../../../shared/approval/digest.js';
import { Events } from '../../../shared/events/catalog.js';
import { run, type RunningFunction } from '../../../shared/runtime/run.js';
import { startFakeSink, type FakeSink } from '../../fakes/sink.js';
import { postEvent } from '../../helpers/events.js';
import { cloudEvent } from '../../helpers/healing.js';
import { useRedisServer } from '../../helpers/redis.js';
import { signed, TEST_KEY_ENV } from '../../helpers/signing.js';

/*
 * Two replicas of the approvals function on one Redis (DESIGN §11, §12): a request kept by one is listed by the
 * other, and two operators deciding the same request at once on different replicas make exactly one decision.
 */

const TOKEN = 'approvals-operator-token-0123456789';
const redis = useRedisServer();
let a: RunningFunction;
let b: RunningFunction;
let sink: FakeSink;

const serve = () =>
  run(approvals, {
    overrides: {
      PORT: '0',
      HOST: '127.0.0.1',
      K_SINK: sink.url,
      CORTEX_LOG_LEVEL: 'silent',
      CORTEX_OPERATOR_TOKEN: TOKEN,
      CORTEX_REDIS_URL: redis().url,
      CORTEX_REDIS_TIMEOUT_MS: '500',
      ...TEST_KEY_ENV
    }
  });

beforeAll(async () => {
  sink = await startFakeSink();
  a = await serve();
  b = await serve();
});
afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await sink?.close();
});

describe('Function: approvals, two replicas on Redis', () => {
  it('a request kept by one replica is listed by the other; simultaneous decisions on both make one', async () => {
    // Prepare
    const shown: Record<string, unknown> = {
      approvalId: 'h-r:approval:1',
      healingId: 'h-r',
      target: { namespace: 'demo', service: 'api' },
      action: 'rollout_restart',
      params: {},
      reason: 'service-endpoints: stale',
      object: 'deployments/api',
      diff: [],
      generation: 2,
      specDigest: 'c'.repeat(64),
      why: 'rollout_restart is in CORTEX_APPROVAL_ACTIONS',
      expiresAt: new Date(Date.now() + 60_000).toISOString()
    };
    const data = { ...shown, digest: approvalDigest(shown) };
    await postEvent(a.url, cloudEvent(Events.ApprovalRequested, signed('approval', Events.ApprovalRequested.type, data)));
    const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    const decide = (fn: RunningFunction, decision: string) =>
      fetch(`${fn.url}/approvals/h-r%3Aapproval%3A1`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ decision, reason: 'mine' })
      });
    // Act
    const listed = (await (await fetch(`${b.url}/approvals`, { headers: auth })).json()) as { approvals: unknown[] };
    const statuses = (await Promise.all([decide(a, 'approve'), decide(b, 'deny')])).map((r) => r.status).sort();
    // Assess
    expect(listed.approvals).toEqual([expect.objectContaining({ approvalId: 'h-r:approval:1', status: 'pending' })]);
    expect(statuses).toEqual([200, 409]);
    await new Promise((r) => setTimeout(r, 200));
    expect(sink.events.filter((e) => e.type === Events.ApprovalDecided.type)).toHaveLength(1);
  });
});
