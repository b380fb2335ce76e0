import { mkdirSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../../local/stack/index.js';
import { postChat } from '../../helpers/chat.js';
import { kubectl } from '../../helpers/kubectl.js';
import type { SseClient } from '../../helpers/sse.js';
import {
  cloudEvents,
  errorReport,
  operatorStream,
  outcomeFor,
  publish,
  testStackEnv,
  type StreamedEvent
} from '../../helpers/stack.js';

/*
 * Explanations, history and Cortex's MCP server on the one-command stack (with its private Redis): the seed's five
 * scenarios each end with healing.explained on the operator stream; secrets planted in the demo's logs never reach the
 * Claude stand-in; the history lists the healings (also after the functions restart), the History view shows them in
 * Chromium, the SDK's MCP client reads them, and the chat answers "what happened to mcp-demo?" from them.
 */

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJvcHMifQ.c2lnbmF0dXJlLXZhbHVl';
const PEM_BODY = 'MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF0PbnGcY5unA67hqxnfZ3SJYdmS1';
/** One secret per pattern, each on a log line the log check quotes (it quotes lines that match its error patterns). */
const SECRETS = {
  connection: 'Pg5ecretPw',
  bearer: 'tok9f8e7d6c5b4a3210ff',
  password: 'hunter2hunter2',
  apiKey: 'akl51Habc123xyz',
  json: 'cs0a1b2c3d4e5f',
  jwt: JWT,
  email: 'oncall.person@example.org',
  privateKey: PEM_BODY
};
const PLANTED = [
  `fatal: db connect failed postgres://app:${SECRETS.connection}@postgres.demo:5432/app`,
  `auth failed: Authorization: Bearer ${SECRETS.bearer}`,
  `unauthorized: DB_PASSWORD=${SECRETS.password} API_KEY=${SECRETS.apiKey}`,
  `forbidden: {"client_secret":"${SECRETS.json}"} session ${SECRETS.jwt}`,
  `timeout: paged ${SECRETS.email}`,
  '-----BEGIN RSA PRIVATE KEY-----',
  `fatal: ${PEM_BODY}`,
  '-----END RSA PRIVATE KEY-----'
].join('\\n');

const SCENARIOS: Array<[string, string | undefined]> = [
  ['scale to zero', undefined],
  ['transient crash loop', 'crashloop-transient'],
  ['persistent crash loop', 'crashloop'],
  ['OOM', 'oom'],
  ['image pull', 'image-pull']
];

describe('e2e: explanations, history and Cortex as an MCP server', () => {
  let stack: LocalStack;
  let ops: SseClient;
  const outcomes: StreamedEvent[] = [];
  const explained: StreamedEvent[] = [];
  const k = async (...args: string[]): Promise<string> => {
    const r = await kubectl(stack.state.kubeconfig, ['-n', 'demo', ...args]);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const healthy = (): boolean => stack.demo.proxy.listening();
  const healings = async (query = '', token = stack.state.operatorToken): Promise<Response> =>
    fetch(`${stack.state.frontDoor}/healings${query}`, { headers: { authorization: `Bearer ${token}` } });
  const mcp = async (token: string): Promise<Client> => {
    const client = new Client({ name: 'e2e', version: '1.0.0' });
    const headers = { authorization: `Bearer ${token}` };
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${stack.state.frontDoor}/mcp`), { requestInit: { headers } })
    );
    return client;
  };

  beforeAll(async () => {
    stack = await startLocalStack({ overrides: testStackEnv({ CORTEX_HEALING_BUDGET: '100' }), privateRedis: true });
    ops = await operatorStream(stack);
    await fetch(`${stack.standin!.url}/_standin/requests`, { method: 'DELETE' });
  });
  afterAll(async () => {
    ops?.close();
    await stack?.stop();
  });
  beforeEach(async () => {
    stack.sim.setFault('demo', 'mcp-demo', 'none');
    await k('annotate', 'deploy/mcp-demo', 'sim.cortex.dev/fault-', 'sim.cortex.dev/log-line-', '--overwrite');
    await k('scale', 'deploy/mcp-demo', '--replicas=1');
    await k('delete', 'pods', '-l', 'app=mcp-demo', '--wait=false');
    await stack.sim.waitFor(() => healthy(), { timeoutMs: 30_000, message: 'the demo Service has ready endpoints' });
  });

  it.each(SCENARIOS)('%s: healing.explained follows the outcome on the operator stream', async (_name, fault) => {
    // Prepare: secrets in the logs of every start and crash, then the fault
    await k('annotate', 'deploy/mcp-demo', `sim.cortex.dev/log-line=${PLANTED}`, '--overwrite');
    if (fault) await k('annotate', 'deploy/mcp-demo', `sim.cortex.dev/fault=${fault}`, '--overwrite');
    else await k('scale', 'deploy/mcp-demo', '--replicas=0');
    await stack.sim.waitFor(() => !healthy(), { timeoutMs: 30_000, message: 'the demo is down' });
    if (fault?.startsWith('crashloop') || fault === 'oom')
      await stack.sim.waitFor(
        () =>
          stack.sim
            .list('Pod', 'demo', 'app=mcp-demo')
            .some(
              (p) =>
                ((p as { status?: { containerStatuses?: Array<{ restartCount?: number }> } }).status?.containerStatuses?.[0]
                  ?.restartCount ?? 0) > 0
            ),
        { timeoutMs: 30_000, message: 'a crash' }
      );
    const after = cloudEvents(ops).length;
    // Act
    expect(await publish(stack, errorReport({ namespace: 'demo', service: 'mcp-demo' }))).toBe(202);
    const outcome = await outcomeFor(ops, 'mcp-demo', after);
    const isExplanation = (e: StreamedEvent): boolean =>
      e.type === 'dev.cortex.healing.explained' && e.data.healingId === outcome.data.healingId;
    await ops.until((c) => cloudEvents(c).slice(after).some(isExplanation), 60_000);
    // Assess
    const all = cloudEvents(ops).slice(after);
    const explanation = all.find(isExplanation)!;
    expect(all.indexOf(explanation)).toBeGreaterThan(all.indexOf(outcome));
    expect(explanation.data).toMatchObject({
      target: { namespace: 'demo', service: 'mcp-demo' },
      model: expect.any(String)
    });
    expect(String(explanation.data.summary)).toMatch(/^.{10,}/);
    expect(explanation.source).toBe('/cortex/explain-healing');
    outcomes.push(outcome);
    explained.push(explanation);
  });

  it('never sent a planted secret to Claude, and the explanations count what was redacted', async () => {
    // Act
    const res = await fetch(`${stack.standin!.url}/_standin/requests`);
    const recorded = await res.text();
    // Assess
    expect(res.status).toBe(200);
    expect(recorded).toContain('Cortex healing brief');
    for (const [pattern, secret] of Object.entries(SECRETS)) expect(recorded, pattern).not.toContain(secret);
    expect(explained.map((e) => e.data.model)).toEqual(explained.map(() => 'claude-sonnet-5'));
    expect(Math.max(...explained.map((e) => Number(e.data.redactions)))).toBeGreaterThanOrEqual(5);
    expect(recorded).toContain('[REDACTED:');
  });

  it('GET /healings lists the healings at the front door, filtered, and only with the operator token', async () => {
    expect((await fetch(`${stack.state.frontDoor}/healings`)).status).toBe(401);
    const all = (await (await healings('?target=demo/mcp-demo')).json()) as {
      healings: Array<{ healingId: string; outcome: string; explanation: string | null }>;
    };
    const ids = outcomes.map((o) => String(o.data.healingId));
    expect(all.healings.map((x) => x.healingId)).toEqual(expect.arrayContaining(ids));
    expect(all.healings.filter((x) => ids.includes(x.healingId)).every((x) => x.explanation)).toBe(true);
    const failed = (await (await healings('?outcome=failed')).json()) as { healings: Array<{ healingId: string }> };
    const failedIds = outcomes.filter((o) => o.type === 'dev.cortex.healing.failed').map((o) => o.data.healingId);
    expect(failed.healings.map((x) => x.healingId).sort()).toEqual(expect.arrayContaining(failedIds));
    expect(failed.healings.every((x) => failedIds.includes(x.healingId))).toBe(true);
    const one = await (await healings(`/${ids[1]}`)).text();
    for (const secret of Object.values(SECRETS)) expect(one).not.toContain(secret);
  });

  it('the SDK MCP client lists the Cortex tools and reads the history; the chat credential sees its own targets only', async () => {
    const client = await mcp(stack.state.operatorToken);
    expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual([
      'get_healing',
      'list_healings',
      'report_problem'
    ]);
    const listed = await client.callTool({ name: 'list_healings', arguments: { target: 'mcp-demo', limit: 10 } });
    const text = (listed.content as Array<{ text: string }>)[0]!.text;
    expect(text).toContain(String(outcomes.at(-1)!.data.healingId));
    const got = await client.callTool({
      name: 'get_healing',
      arguments: { healingId: String(outcomes[0]!.data.healingId) }
    });
    expect(got.isError).toBeFalsy();
    await client.close();
    await expect(mcp('not-a-cortex-credential-at-all')).rejects.toThrow(/401|Unauthorized/);
  });

  it('through the chat, "what happened to mcp-demo?" is answered with its latest healing', async () => {
    // Act
    const reply = await postChat(stack.state.frontDoor, { message: 'What happened to mcp-demo today?' });
    // Assess
    const calls = reply.events.filter((e) => e.event === 'tool_call').map((e) => `${e.data.server}/${e.data.name}`);
    expect(calls).toEqual(['cortex/list_healings', 'cortex/get_healing']);
    const answer = reply.events
      .filter((e) => e.event === 'token')
      .map((e) => String(e.data.delta ?? ''))
      .join('');
    expect(answer).toContain(String(outcomes.at(-1)!.data.healingId));
  });

  it('the History view lists the healings of this run in Chromium (screenshot saved)', async () => {
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run']
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
      await page.goto(`${stack.state.frontDoor}/`);
      await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
      await page.fill('[data-testid="history-token"]', stack.state.operatorToken);
      await page.click('[data-testid="history-token-submit"]');
      await page.waitForFunction(
        (n) => document.querySelectorAll('[data-testid="history-row"]').length >= n,
        outcomes.length
      );
      const rows = await page.$$eval('[data-testid="history-row"]', (trs) =>
        trs.map((tr) => tr.getAttribute('data-healing-id'))
      );
      expect(rows).toEqual(expect.arrayContaining(outcomes.map((o) => String(o.data.healingId))));
      const points = await page.getAttribute('[data-testid="history-chart"]', 'data-points');
      expect(Number(points)).toBeGreaterThanOrEqual(
        outcomes.filter((o) => o.type === 'dev.cortex.healing.completed').length
      );
      mkdirSync('test-results', { recursive: true });
      await page.locator('[data-testid="history"]').screenshot({ path: 'test-results/history-view.png' });
    } finally {
      await browser.close();
    }
  });

  it('keeps the history on Redis across a restart of the functions', async () => {
    // Act
    await stack.restartFunctions();
    // Assess
    const res = await healings('?target=mcp-demo');
    const after = (await res.json()) as { healings: Array<{ healingId: string }> };
    expect(after.healings.map((x) => x.healingId)).toEqual(
      expect.arrayContaining(outcomes.map((o) => String(o.data.healingId)))
    );
  });
});
