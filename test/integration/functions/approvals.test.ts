import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import approvals from '../../../functions/approvals/index.js';
import { approvalDigest } from '../../../shared/approval/digest.js';
import { Events } from '../../../shared/events/catalog.js';
import { run, type RunningFunction } from '../../../shared/runtime/run.js';
import { createSigner } from '../../../shared/trust/signature.js';
import { startFakeSink, type FakeSink } from '../../fakes/sink.js';
import { postEvent } from '../../helpers/events.js';
import { cloudEvent } from '../../helpers/healing.js';
import { signed, TEST_KEY_ENV, TEST_KEYS } from '../../helpers/signing.js';

/*
 * The approvals function over real HTTP: it keeps only requests the coordinator signed (with the approval key) whose
 * digest matches, serves them behind the operator token, and turns an operator's decision into a signed
 * approval.decided, once, published to its sink.
 */

const TOKEN = 'approvals-operator-token-0123456789';
let fn: RunningFunction;
let sink: FakeSink;
let n = 0;

function requestData(over: Record<string, unknown> = {}): Record<string, unknown> {
  const shown: Record<string, unknown> = {
    approvalId: `h-${++n}:approval:1`,
    healingId: `h-${n}`,
    target: { namespace: 'demo', service: 'api' },
    action: 'scale_up',
    params: {},
    reason: 'deployment-config: scaled to zero',
    object: 'deployments/api',
    diff: [{ op: 'replace', path: 'deployments/api/scale:/spec/replicas', value: 1, from: 0 }],
    generation: 3,
    specDigest: 'a'.repeat(64),
    why: 'the workload is labelled cortex.dev/approval=required',
    expiresAt: new Date(Date.now() + 15 * 60_000).toISOString(),
    ...over
  };
  return { ...shown, digest: approvalDigest(shown) };
}

const asked = (data: Record<string, unknown>, sign = true) =>
  postEvent(
    fn.url,
    cloudEvent(Events.ApprovalRequested, sign ? signed('approval', Events.ApprovalRequested.type, data) : data)
  );

const auth = { authorization: `Bearer ${TOKEN}` };
const list = async (): Promise<Array<{ approvalId: string; status: string }>> =>
  ((await (await fetch(`${fn.url}/approvals?all=1`, { headers: auth })).json()) as { approvals: never[] }).approvals;
const decide = (id: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${fn.url}/approvals/${encodeURIComponent(id)}`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body)
  });

beforeAll(async () => {
  sink = await startFakeSink();
  fn = await run(approvals, {
    overrides: {
      PORT: '0',
      HOST: '127.0.0.1',
      K_SINK: sink.url,
      CORTEX_LOG_LEVEL: 'silent',
      CORTEX_OPERATOR_TOKEN: TOKEN,
      ...TEST_KEY_ENV
    }
  });
});
afterAll(async () => {
  await fn?.stop();
  await sink?.close();
});

describe('Function: approvals (HTTP)', () => {
  it('keeps a signed request; an unsigned one, one signed with another key, or one whose digest does not match, it drops', async () => {
    // Prepare
    const good = requestData();
    const unsigned = requestData();
    const forged = requestData();
    const altered: Record<string, unknown> = { ...requestData(), generation: 99 };
    // Act
    const answers = await Promise.all([
      asked(good),
      asked(unsigned, false),
      postEvent(
        fn.url,
        cloudEvent(Events.ApprovalRequested, signed('f0'.repeat(32), Events.ApprovalRequested.type, forged))
      ),
      asked(altered)
    ]);
    // Assess
    expect(answers.map((r) => r.status)).toEqual([202, 202, 202, 202]);
    const ids = (await list()).map((a) => a.approvalId);
    expect(ids).toContain(good.approvalId);
    expect(ids).not.toContain(unsigned.approvalId);
    expect(ids).not.toContain(forged.approvalId);
    expect(ids).not.toContain(altered.approvalId);
  });

  it('serves requests and takes decisions only with the operator token', async () => {
    // Act
    const noToken = await fetch(`${fn.url}/approvals`);
    const wrong = await fetch(`${fn.url}/approvals`, { headers: { authorization: 'Bearer nope' } });
    const post = await decide('x', { decision: 'approve' }, { authorization: 'Bearer nope' });
    // Assess
    expect([noToken.status, wrong.status, post.status]).toEqual([401, 401, 401]);
  });

  it('an approval publishes one approval.decided signed with the approval key; a second decision is a 409', async () => {
    // Prepare
    const data = requestData();
    await asked(data);
    const before = sink.events.length;
    // Act
    const first = await decide(String(data.approvalId), { decision: 'approve', reason: 'go', by: 'alice' });
    const second = await decide(String(data.approvalId), { decision: 'deny', reason: 'changed my mind' });
    // Assess
    expect(first.status).toBe(200);
    expect(second.status).toBe(409);
    const [event] = (await sink.waitFor(before + 1)).slice(before);
    expect(event!.type).toBe(Events.ApprovalDecided.type);
    expect(event!.data).toMatchObject({
      approvalId: data.approvalId,
      digest: data.digest,
      decision: 'approve',
      decidedBy: 'operator:alice',
      reason: 'go'
    });
    const verdict = createSigner([TEST_KEYS.approval]).verify(Events.ApprovalDecided.type, event!.data, new Date());
    expect(verdict.ok).toBe(true);
    expect(createSigner([TEST_KEYS.remediation]).verify(Events.ApprovalDecided.type, event!.data, new Date()).ok).toBe(
      false
    );
    expect((await list()).find((a) => a.approvalId === data.approvalId)?.status).toBe('approved');
  });

  it('refuses bad decisions: no reason to deny (400), not JSON (415), another site (403), unknown (404), expired (409)', async () => {
    // Prepare
    const data = requestData();
    const old = requestData({ expiresAt: new Date(Date.now() - 1_000).toISOString() });
    await asked(data);
    await asked(old);
    // Act
    const statuses = [
      (await decide(String(data.approvalId), { decision: 'deny' })).status,
      (
        await fetch(`${fn.url}/approvals/${encodeURIComponent(String(data.approvalId))}`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'text/plain' },
          body: JSON.stringify({ decision: 'approve' })
        })
      ).status,
      (await decide(String(data.approvalId), { decision: 'approve' }, { origin: 'https://evil.example' })).status,
      (await decide('nope', { decision: 'approve' })).status,
      (await decide(String(old.approvalId), { decision: 'approve' })).status
    ];
    // Assess
    expect(statuses).toEqual([400, 415, 403, 404, 409]);
    expect((await list()).find((a) => a.approvalId === data.approvalId)?.status).toBe('pending');
  });

  it('a healing that ended closes its pending requests', async () => {
    // Prepare
    const data = requestData();
    await asked(data);
    const ended = {
      healingId: data.healingId,
      target: data.target,
      reasonCode: 'approval_expired',
      reason: 'nobody approved',
      findings: [],
      manualSteps: []
    };
    // Act
    await postEvent(fn.url, cloudEvent(Events.HealingFailed, signed('stream', Events.HealingFailed.type, ended)));
    const late = await decide(String(data.approvalId), { decision: 'approve' });
    // Assess
    expect(late.status).toBe(409);
    expect((await list()).find((a) => a.approvalId === data.approvalId)?.status).toBe('closed');
  });
});
