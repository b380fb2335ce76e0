import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../../local/stack/index.js';
import { compareEventIds } from '../../../shared/sse/event-id.js';
import { first, names, postChat } from '../../helpers/chat.js';
import { cloudEvents, operatorStream, testStackEnv } from '../../helpers/stack.js';

/*
 * The scaled local stack (DESIGN §11): a private redis-server, the relay split as in a cluster (two ingest processes
 * that take the Triggers' deliveries, two stream processes that serve the page, docs/security.md) and the chat as two
 * OS processes, each group behind its round-robin balancer, everything else in the stack's process on the same Redis.
 * The page in Chromium, through the front door, follows a real healing: every event it shows was delivered to an
 * ingest process, none to the stream process serving it, and when that one is killed (kill -9) mid-healing it
 * reconnects with Last-Event-ID to the other one and shows every event exactly once. A chat session's second message,
 * served by the other chat replica, has its history.
 */

const LAUNCH = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'];
const SESSION_FRAMES = ['started', 'progress', 'completed', 'failed'].map((t) => `dev.cortex.healing.${t}`);

/** A Prometheus text exposition → value of each `name{labels}` series. */
async function metrics(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
    if (m) out.set(`${m[1]}${m[2] ?? ''}`, Number(m[3]));
  }
  return out;
}

/** Healing events a relay process stored, of the types that become timeline steps. */
async function handledSteps(url: string): Promise<number> {
  const m = await metrics(url);
  return SESSION_FRAMES.reduce((n, t) => n + (m.get(`cortex_events_received_total{type="${t}",outcome="handled"}`) ?? 0), 0);
}

/** Every delivery a relay process took, whatever its type or outcome. */
async function deliveries(url: string): Promise<number> {
  let n = 0;
  for (const [series, v] of await metrics(url)) if (series.startsWith('cortex_events_received_total{')) n += v;
  return n;
}

async function sessionStreams(url: string): Promise<number> {
  return (await metrics(url)).get('cortex_sse_clients{kind="session"}') ?? 0;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, withinMs = 60_000): Promise<T> {
  const end = Date.now() + withinMs;
  for (;;) {
    const got = await probe().catch(() => undefined);
    if (got !== undefined) return got;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('e2e: the scaled local stack (the relay split in two ingest and two stream processes, two chat replicas, on Redis)', () => {
  let stack: LocalStack;
  let browser: Browser;
  let page: Page;
  const resumes: string[] = [];

  beforeAll(async () => {
    stack = await startLocalStack({
      // Pods start slowly here, so the healing waits in its verify phase long enough to kill a relay mid-healing.
      overrides: testStackEnv({
        CORTEX_HEALING_BUDGET: '100',
        CORTEX_REPLICAS: 'sse-relay=2,chat=2',
        CORTEX_SIM_POD_START_MS: '3000',
        CORTEX_CHECK_WAIT_MS: '10000'
      }),
      privateRedis: true
    });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: LAUNCH });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('request', (r) => {
      const lastId = r.headers()['last-event-id'];
      if (r.url().includes('/events?session=') && lastId) resumes.push(lastId);
    });
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('shows on the page the events the ingest processes took, and after kill -9 of its stream process every event exactly once', async () => {
    // Prepare
    const relays = stack.replicas.get('sse-relay')!;
    const urls = relays.replicas().map((r) => r.url);
    const ingests = stack.replicas
      .get('sse-relay-ingest')!
      .replicas()
      .map((r) => r.url);
    await page.goto(`${stack.state.frontDoor}/`);
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
    await page.waitForSelector('[data-testid="relay-status"][data-state="live"]', { state: 'attached' });
    const serving = await until('the replica serving the page', async () => {
      const counts = await Promise.all(urls.map(sessionStreams));
      return counts.filter((c) => c === 1).length === 1 && counts.includes(0) ? counts.indexOf(1) : undefined;
    });
    const other = 1 - serving;
    const card = '[data-testid^="healing-"][data-state]';
    const steps = (): Promise<string[]> =>
      page.$$eval(`${card} .steps li`, (lis) => lis.map((li) => (li as HTMLElement).dataset.eventId ?? ''));
    // Act: a real fault and its healing; the remediation is applied and the pod takes 3 s to come up
    await page.click('[data-testid="fault-scale-zero"]');
    await page.waitForSelector(`${card} .steps li.outcome-applied`, { state: 'attached', timeout: 60_000 });
    // Before the kill, the page shows every healing event stored so far, all of them stored by the ingest processes.
    const [byIngest, shownBeforeKill] = await until('the page to show what the ingest processes stored', async () => {
      const stored = await Promise.all(ingests.map(handledSteps));
      const shown = (await steps()).length;
      return shown > 0 && shown === stored[0]! + stored[1]! ? ([stored, shown] as const) : undefined;
    });
    const stateAtKill = await page.getAttribute(card, 'data-state');
    const lastSeen = (await steps()).sort(compareEventIds).at(-1)!;
    await relays.kill(serving);
    await page.waitForSelector(`${card}[data-state="healed"]`, { state: 'attached', timeout: 90_000 });
    // Assess
    const ids = await steps();
    const healingId = (await page.getAttribute(card, 'data-testid'))!.slice('healing-'.length);
    const op = await operatorStream(stack, '&history=10000');
    // The history comes in as many writes as it takes: read until this healing's outcome is in it
    await op.until(
      (c) => cloudEvents(c).some((e) => e.type === 'dev.cortex.healing.completed' && e.data.healingId === healingId),
      30_000
    );
    op.close();
    const stored = cloudEvents(op).filter((e) => SESSION_FRAMES.includes(e.type) && e.data.healingId === healingId);
    expect(stateAtKill).toBe('running');
    expect(byIngest.filter((n) => n > 0).length).toBeGreaterThanOrEqual(1);
    // The stream processes took no delivery: the Triggers' subscriber is sse-relay-ingest, and they refuse POST /.
    expect(
      await Promise.all(
        relays
          .replicas()
          .filter((r) => r.up)
          .map((r) => deliveries(r.url))
      )
    ).toEqual([0]);
    expect((await Promise.all(ingests.map(deliveries))).every((n) => n > 0)).toBe(true);
    expect((await fetch(`${relays.url}/`, { method: 'POST', body: '{}' })).status).toBe(404);
    expect(shownBeforeKill).toBeGreaterThanOrEqual(3);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(stored.length);
    expect(ids.length).toBeGreaterThan(shownBeforeKill);
    expect(resumes).toContain(lastSeen);
    expect(await sessionStreams(urls[other]!)).toBe(1);
    expect(await page.getAttribute('[data-testid="relay-status"]', 'data-state')).toBe('live');
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/scaled-stack-healed.png', fullPage: true });
  });

  it("answers a chat session's second message on the other chat replica with the first one's history", async () => {
    // Prepare
    const chats = stack.replicas.get('chat')!.replicas();
    const session = (await (await fetch(`${stack.state.frontDoor}/chat/sessions`, { method: 'POST' })).json()) as {
      sessionId: string;
      token: string;
    };
    const one = await postChat(chats[0]!.url, { message: 'Remember the word periwinkle.', ...session });
    const before = stack.standin!.requests().length;
    // Act
    const two = await postChat(chats[1]!.url, { message: 'Which word did I ask you to remember?', ...session });
    const three = await postChat(stack.state.frontDoor, { message: 'And once more?', ...session });
    // Assess
    expect([names(one).at(-1), names(two).at(-1), names(three).at(-1)]).toEqual(['done', 'done', 'done']);
    const sent = stack.standin!.requests().slice(before);
    const history = JSON.stringify((sent[0]!.body as { messages: unknown[] }).messages);
    expect(history).toContain('Remember the word periwinkle.');
    expect(history).toContain(JSON.stringify(first(one, 'done').message).slice(1, -1));
    expect(JSON.stringify((sent.at(-1)!.body as { messages: unknown[] }).messages)).toContain(
      'Which word did I ask you to remember?'
    );
  });
});
