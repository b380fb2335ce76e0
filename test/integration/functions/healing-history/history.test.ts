import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import healingHistory from '../../../../functions/healing-history/index.js';
import type { CloudEventRecord } from '../../../../shared/events/http.js';
import type { EventDef } from '../../../../shared/events/define.js';
import { run, type RunningFunction } from '../../../../shared/runtime/run.js';
import { postEvent } from '../../../helpers/events.js';
import { cloudEvent, completed, Events, failed, started } from '../../../helpers/healing.js';
import { useRedisServer } from '../../../helpers/redis.js';
import { asSent, signed, TEST_KEY_ENV } from '../../../helpers/signing.js';

const OPERATOR = 'history-operator-token-0123456789';
const CHAT = 'history-chat-token-0123456789abc';
const other = { namespace: 'shop', service: 'payments' };
const SECRET_LINE =
  'boot failed: DB_PASSWORD=hunter2hunter2 Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlX3ZhbHVl';

interface History {
  fn: RunningFunction;
  published: CloudEventRecord[];
  post(def: EventDef, data: unknown, time: string): Promise<void>;
  get(path: string, token?: string): Promise<Response>;
}

async function startHistory(env: Record<string, string> = {}): Promise<History> {
  const published: CloudEventRecord[] = [];
  const fn = await run(healingHistory, {
    overrides: {
      PORT: '0',
      HOST: '127.0.0.1',
      CORTEX_LOG_LEVEL: 'silent',
      CORTEX_OPERATOR_TOKEN: OPERATOR,
      CORTEX_CHAT_TOKEN: CHAT,
      CORTEX_MCP_SERVERS: JSON.stringify([
        { name: 'demo', url: 'http://127.0.0.1:1/mcp', target: { namespace: 'demo', service: 'mcp-demo' } }
      ]),
      ...TEST_KEY_ENV,
      ...env
    },
    publish: async (e) => void published.push(e)
  });
  return {
    fn,
    published,
    async post(def, data, time) {
      const res = await postEvent(fn.url, cloudEvent(def, asSent(def, data), { time }));
      if (res.status !== 202) throw new Error(`history answered ${res.status}: ${await res.text()}`);
    },
    get: (path, token) => fetch(`${fn.url}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {})
  };
}

/** Two healings of demo/mcp-demo (one healed, one failed with a secret in its evidence) and one of shop/payments. */
async function seed(h: History, prefix: string): Promise<void> {
  await h.post(Events.HealingStarted, started(`${prefix}-1`, []), '2026-12-01T10:00:00.000Z');
  await h.post(Events.HealingCompleted, completed(`${prefix}-1`, []), '2026-12-01T10:00:04.200Z');
  await h.post(Events.HealingStarted, started(`${prefix}-2`, []), '2026-12-02T10:00:00.000Z');
  await h.post(
    Events.DiagnosisCompleted,
    {
      healingId: `${prefix}-2`,
      check: 'pod-logs',
      phase: 'diagnose',
      verdict: 'problem',
      summary: 'crashes at start',
      evidence: [{ subject: 'pod mcp-demo-1', detail: SECRET_LINE }]
    },
    '2026-12-02T10:00:01.000Z'
  );
  await h.post(Events.HealingFailed, failed(`${prefix}-2`, []), '2026-12-02T10:00:09.000Z');
  await h.post(Events.HealingStarted, { ...started(`${prefix}-3`, []), target: other }, '2026-12-03T10:00:00.000Z');
}

async function mcpClient(url: string, token?: string): Promise<Client> {
  const client = new Client({ name: 'history-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(
    new URL(`${url}/mcp`),
    token ? { requestInit: { headers: { authorization: `Bearer ${token}` } } } : {}
  );
  await client.connect(transport);
  return client;
}

const textOf = (r: unknown): string => (r as { content: Array<{ text: string }> }).content[0]?.text ?? '';

describe('healing-history over HTTP (in memory)', () => {
  let h: History;
  beforeAll(async () => {
    h = await startHistory();
    await seed(h, 'h');
  });
  afterAll(() => h.fn.stop());

  it('refuses GET /healings without a credential or with a wrong one (401)', async () => {
    expect((await h.get('/healings')).status).toBe(401);
    expect((await h.get('/healings', 'not-the-token-at-all')).status).toBe(401);
    expect((await h.get('/healings/h-1')).status).toBe(401);
  });

  it('lists healings newest first, filtered by target, outcome and since', async () => {
    const all = (await (await h.get('/healings', OPERATOR)).json()) as { healings: Array<Record<string, unknown>> };
    expect(all.healings.map((x) => x.healingId)).toEqual(['h-3', 'h-2', 'h-1']);
    expect(all.healings[2]).toMatchObject({
      target: 'demo/mcp-demo',
      outcome: 'healed',
      timeToHealMs: 4200,
      startedAt: '2026-12-01T10:00:00.000Z'
    });
    const ids = async (q: string) =>
      ((await (await h.get(`/healings?${q}`, OPERATOR)).json()) as { healings: Array<{ healingId: string }> }).healings.map(
        (x) => x.healingId
      );
    expect(await ids('target=demo/mcp-demo')).toEqual(['h-2', 'h-1']);
    expect(await ids('target=payments')).toEqual(['h-3']);
    expect(await ids('outcome=failed')).toEqual(['h-2']);
    expect(await ids('since=2026-12-02T00:00:00Z')).toEqual(['h-3', 'h-2']);
    expect(await ids('target=demo/mcp-demo&outcome=healed&since=2026-11-30T00:00:00Z')).toEqual(['h-1']);
  });

  it('answers a filter that is not one with 400 and says why', async () => {
    for (const q of ['since=yesterday', 'outcome=maybe', 'target=Not_A_Name', 'limit=0']) {
      const res = await h.get(`/healings?${q}`, OPERATOR);
      expect(res.status, q).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_filter');
    }
  });

  it('serves one healing whole (timeline, findings, outcome), its evidence redacted; 404 for an unknown id', async () => {
    const res = await h.get('/healings/h-2', OPERATOR);
    const body = await res.text();
    expect(res.status).toBe(200);
    expect(body).not.toContain('hunter2hunter2');
    expect(body).not.toContain('eyJhbGciOiJIUzI1NiJ9');
    const record = JSON.parse(body) as Record<string, unknown>;
    expect(record).toMatchObject({ healingId: 'h-2', outcome: 'failed', reasonCode: 'manual' });
    expect((record.findings as Array<{ redactions: number }>)[0]!.redactions).toBe(2);
    expect((record.timeline as unknown[]).length).toBe(3);
    expect((await h.get('/healings/nope', OPERATOR)).status).toBe(404);
  });

  it('records nothing from an unsigned or forged healing event', async () => {
    const forged = cloudEvent(
      Events.HealingStarted,
      signed('f0'.repeat(32), Events.HealingStarted.type, started('h-forged', []))
    );
    await postEvent(h.fn.url, forged);
    await postEvent(h.fn.url, cloudEvent(Events.HealingStarted, started('h-unsigned', [])));
    expect((await h.get('/healings/h-forged', OPERATOR)).status).toBe(404);
    expect((await h.get('/healings/h-unsigned', OPERATOR)).status).toBe(404);
  });

  it("gives the chat only the healings of its own MCP servers' targets", async () => {
    const list = (await (await h.get('/healings', CHAT)).json()) as { healings: Array<{ healingId: string }> };
    expect(list.healings.map((x) => x.healingId)).toEqual(['h-2', 'h-1']);
    expect((await h.get('/healings/h-3', CHAT)).status).toBe(404);
  });

  describe('as an MCP server (the SDK client over Streamable HTTP)', () => {
    it('lists its tools: list_healings, get_healing, report_problem, and none that approves or changes a workload', async () => {
      const client = await mcpClient(h.fn.url, OPERATOR);
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(['get_healing', 'list_healings', 'report_problem']);
      expect(tools.find((t) => t.name === 'list_healings')!.annotations?.readOnlyHint).toBe(true);
      await client.close();
    });

    it('answers list_healings and get_healing, redacted', async () => {
      const client = await mcpClient(h.fn.url, OPERATOR);
      const listed = JSON.parse(textOf(await client.callTool({ name: 'list_healings', arguments: { target: 'mcp-demo' } })));
      expect(listed.healings.map((x: { healingId: string }) => x.healingId)).toEqual(['h-2', 'h-1']);
      const one = textOf(await client.callTool({ name: 'get_healing', arguments: { healingId: 'h-2' } }));
      expect(JSON.parse(one)).toMatchObject({ healingId: 'h-2', outcome: 'failed' });
      expect(one).not.toContain('hunter2hunter2');
      await client.close();
    });

    it('refuses a call without a credential', async () => {
      await expect(mcpClient(h.fn.url)).rejects.toThrow(/401|Unauthorized/);
      const res = await fetch(`${h.fn.url}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' })
      });
      expect(res.status).toBe(401);
    });

    it("keeps the chat's credential to its own targets: another target's healing is not found, nor reportable", async () => {
      const client = await mcpClient(h.fn.url, CHAT);
      const listed = JSON.parse(textOf(await client.callTool({ name: 'list_healings', arguments: {} })));
      expect(listed.healings.map((x: { healingId: string }) => x.healingId)).toEqual(['h-2', 'h-1']);
      const denied = await client.callTool({ name: 'get_healing', arguments: { healingId: 'h-3' } });
      expect(denied.isError).toBe(true);
      const report = await client.callTool({
        name: 'report_problem',
        arguments: { namespace: 'shop', service: 'payments', message: 'slow' }
      });
      expect(report.isError).toBe(true);
      await client.close();
    });

    it('report_problem publishes error.reported for the target, and nothing else', async () => {
      const client = await mcpClient(h.fn.url, CHAT);
      const before = h.published.length;
      const r = await client.callTool({
        name: 'report_problem',
        arguments: { namespace: 'demo', service: 'mcp-demo', message: 'tools time out' }
      });
      expect(r.isError).toBeFalsy();
      const sent = h.published.slice(before);
      expect(sent.map((e) => e.type)).toEqual([Events.ErrorReported.type]);
      expect(sent[0]!.data).toMatchObject({
        component: 'mcp:chat',
        category: 'mcp_unreachable',
        message: 'tools time out',
        target: { namespace: 'demo', service: 'mcp-demo' }
      });
      await client.close();
    });
  });
});

describe('healing-history on Redis', () => {
  const redis = useRedisServer();

  it('keeps the history across a restart', async () => {
    // Arrange
    const env = () => ({
      CORTEX_REDIS_URL: redis().url,
      CORTEX_REDIS_PREFIX: `hist-${Math.random().toString(36).slice(2)}:`
    });
    const shared = env();
    const first = await startHistory(shared);
    await seed(first, 'r');
    await first.fn.stop();
    // Act
    const second = await startHistory(shared);
    const res = await second.get('/healings?target=demo/mcp-demo', OPERATOR);
    // Assess
    const list = (await res.json()) as { healings: Array<{ healingId: string; outcome: string }> };
    expect(list.healings.map((x) => [x.healingId, x.outcome])).toEqual([
      ['r-2', 'failed'],
      ['r-1', 'healed']
    ]);
    await second.fn.stop();
  });
});
