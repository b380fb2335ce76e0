import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../../local/stack/index.js';
import { kubectl } from '../../helpers/kubectl.js';
import { startTestStack } from '../../helpers/stack.js';

/*
 * Approvals and rollback as an operator meets them in the page after `npm start` (DESIGN §12): Debian's Chromium, the
 * real front door, relay, approvals function, coordinator and simulated cluster. Faults go in with the page's own
 * buttons; the operator approves from the page and watches the healing finish; a rolled-back healing says what was
 * undone. Screenshots are saved as test artifacts (test-results/).
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

describe('e2e: approvals and rollback in the page (Chromium)', () => {
  let stack: LocalStack;
  let browser: Browser;
  let page: Page;
  let k: (...args: string[]) => Promise<string>;

  beforeAll(async () => {
    mkdirSync('test-results', { recursive: true });
    stack = await startTestStack({ CORTEX_HEALING_BUDGET: '100' });
    k = async (...args) => {
      const r = await kubectl(stack.state.kubeconfig, ['-n', 'demo', ...args]);
      if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: LAUNCH });
    page = await browser.newPage({ viewport: { width: 1400, height: 1200 } });
    await page.goto(`${stack.state.frontDoor}/`);
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
    await page.fill('[data-testid="operator-token"]', stack.state.operatorToken);
    await page.click('[data-testid="operator-token-submit"]');
    await page.waitForSelector('[data-testid="operator-status"][data-state="live"]', { state: 'attached' });
    await page.waitForSelector('[data-testid="relay-status"][data-state="live"]', { state: 'attached' });
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('an operator approves a scale-up from the page, with its diff shown, and watches the healing finish', async () => {
    // Prepare
    await k('label', 'deploy/mcp-demo', 'cortex.dev/approval=required', '--overwrite');
    // Act: the fault button scales the demo MCP server to zero and probes it as the chat would
    await page.click('[data-testid="fault-scale-zero"]');
    const card = await page.waitForSelector('[data-testid="approval"][data-state="pending"]', { timeout: 60_000 });
    await page.waitForSelector('[data-testid^="healing-"] .steps li[data-event="healing_progress"]:has-text("Approval")', {
      timeout: 30_000
    });
    // Assess: the pending action and its diff; nothing changed yet
    expect(await card.textContent()).toContain('scale_up on demo/mcp-demo');
    expect(await card.$eval('[data-testid="approval-diff"]', (e) => e.textContent)).toMatch(
      /deployments\/mcp-demo\/scale:\/spec\/replicas: 0 → 1/
    );
    const replicas = (): number =>
      (stack.sim.get('Deployment', 'demo', 'mcp-demo') as unknown as { spec: { replicas: number } }).spec.replicas;
    expect(replicas()).toBe(0);
    await page.screenshot({ path: 'test-results/approval-pending.png', fullPage: true });
    // Act: approve
    await card.$eval('[data-testid="approve"]', (b) => (b as HTMLButtonElement).click());
    await page.waitForSelector('[data-testid^="healing-"][data-state="healed"]', { state: 'attached', timeout: 90_000 });
    // Assess
    expect(await card.getAttribute('data-state')).toBe('approved');
    expect(replicas()).toBe(1);
    await page.screenshot({ path: 'test-results/approval-healed.png', fullPage: true });
    await k('label', 'deploy/mcp-demo', 'cortex.dev/approval-');
  });

  it('a restart that made things worse is rolled back, and the page says what was undone', async () => {
    // Prepare: a bad rollout waiting to happen
    await k('annotate', 'deploy/mcp-demo', 'sim.cortex.dev/fault-on-new-template=crashloop', '--overwrite');
    // Act: stale endpoints, which a rollout restart fixes
    await page.click('[data-testid="fault-endpoints-stale"]');
    const failed = await page.waitForSelector('[data-testid^="healing-"][data-reason="rolled_back"]', {
      state: 'attached',
      timeout: 120_000
    });
    // Assess
    expect(await failed.$eval('[data-testid="healing-state"]', (e) => e.textContent)).toBe('rolled back');
    expect(await failed.$eval('[data-testid="undone"]', (e) => e.textContent)).toContain('patch deployments/mcp-demo');
    expect(await failed.$eval('[data-testid="healing-outcome"]', (e) => e.textContent)).toMatch(
      /rollout_restart made demo\/mcp-demo worse/
    );
    await failed.scrollIntoViewIfNeeded();
    await page.screenshot({ path: 'test-results/rollback-page.png', fullPage: true });
  });
});
