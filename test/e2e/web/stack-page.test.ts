import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../../local/stack/index.js';
import { kubectl } from '../../helpers/kubectl.js';
import { startTestStack } from '../../helpers/stack.js';
import { startCutProxy, type CutProxy } from '../../helpers/cut-proxy.js';

/*
 * The page as a user meets it after `npm start`: the real front door, relay, chat, broker, healing functions and
 * simulated cluster; Debian's Chromium; faults injected with the page's own buttons. The page is reached through a
 * proxy that can cut its connections, as a Knative timeout or a network blip would.
 */

const LAUNCH = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run'
];

describe('e2e: the web page on the local stack (Chromium)', () => {
  let stack: LocalStack;
  let proxy: CutProxy;
  let browser: Browser;
  let page: Page;
  const cards = (p: Page): Promise<Array<{ id: string; state: string }>> =>
    p.$$eval('[data-testid^="healing-"][data-state]', (els) =>
      els.map((e) => ({ id: e.getAttribute('data-testid')!, state: e.getAttribute('data-state')! }))
    );

  beforeAll(async () => {
    stack = await startTestStack({ CORTEX_HEALING_BUDGET: '100' });
    proxy = await startCutProxy(Number(new URL(stack.state.frontDoor).port));
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: LAUNCH });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${proxy.url}/`);
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
  });
  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await stack?.stop();
  });

  it('labels the Claude stand-in and offers the simulator faults in local mode', async () => {
    // Assess
    expect(await page.textContent('[data-testid="claude-label"]')).toMatch(/stand-in/i);
    expect(await page.$$eval('[data-testid^="fault-"]', (b) => b.map((x) => x.getAttribute('data-testid')))).toContain(
      'fault-scale-zero'
    );
  });

  it('injects a fault with its button and follows the healing to "healed"; a connection cut mid-healing loses nothing and repeats nothing', async () => {
    // Prepare
    await page.waitForSelector('[data-testid="relay-status"][data-state="live"]', { state: 'attached' });
    const before = (await cards(page)).length;
    // Act: the button scales the demo MCP server to zero and probes it like the chat would
    await page.click('[data-testid="fault-scale-zero"]');
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid^="healing-"][data-state]').length > n,
      before,
      { timeout: 60_000 }
    );
    proxy.refuse(true);
    proxy.cut();
    await page.waitForSelector('[data-testid="relay-status"][data-state="reconnecting"]', { state: 'attached' });
    await new Promise((r) => setTimeout(r, 500));
    proxy.refuse(false);
    await page.waitForSelector('[data-testid^="healing-"][data-state="healed"]', { state: 'attached', timeout: 60_000 });
    // Assess
    const [card] = (await cards(page)).slice(before);
    expect(card!.state).toBe('healed');
    const ids = await page.$$eval(`[data-testid="${card!.id}"] .steps li`, (lis) =>
      lis.map((li) => (li as HTMLElement).dataset.eventId ?? '')
    );
    expect(ids.length).toBeGreaterThanOrEqual(10);
    expect(new Set(ids).size).toBe(ids.length);
    expect(
      proxy.requests.some((r) => r.startsWith('GET /events?session=') && /\r\nlast-event-id: \d+-\d+\r\n/i.test(r))
    ).toBe(true);
    const replicas = await kubectl(stack.state.kubeconfig, [
      '-n',
      'demo',
      'get',
      'deploy',
      'mcp-demo',
      '-o',
      'jsonpath={.status.readyReplicas}'
    ]);
    expect(replicas.stdout).toBe('1');
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/stack-page-healed.png', fullPage: true });
  });

  it('answers a chat message in the page, with the tool result from the demo MCP server', async () => {
    // Act
    await page.fill(
      '[data-testid="chat-form"] textarea, [data-testid="chat-form"] input[type="text"]',
      'Use the get_service_status tool to check the demo service'
    );
    await page.click('[data-testid="chat-send"]');
    await page.waitForSelector('[data-testid="assistant-turn"][data-state="done"]', { state: 'attached', timeout: 60_000 });
    // Assess
    const answer = await page.textContent(
      '[data-testid="assistant-turn"][data-state="done"] [data-testid="assistant-text"]'
    );
    expect(answer).toContain('"status": "ok"');
    expect(await page.$$eval('[data-testid="tool-call"]', (els) => els.length)).toBeGreaterThan(0);
  });
});
