import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sseRelay from '../../../functions/sse-relay/index.js';
import { Events } from '../../../shared/events/catalog.js';
import type { EventDef } from '../../../shared/events/define.js';
import { run, type RunningFunction } from '../../../shared/runtime/run.js';
import { compareEventIds } from '../../../shared/sse/event-id.js';
import { sessionToken } from '../../../shared/session/token.js';
import { postEvent } from '../../helpers/events.js';
import { cloudEvent, completed, failed, progress, started } from '../../helpers/healing.js';
import { startCutProxy, type CutProxy } from '../../helpers/cut-proxy.js';
import { asSent, TEST_KEY_ENV } from '../../helpers/signing.js';

const SECRET = 'page-test-secret-0123456789';
const OPERATOR_TOKEN = 'page-operator-token-0123456789';
const FAULTS = [
  'scale-zero',
  'crashloop-transient',
  'crashloop',
  'oom',
  'image-pull',
  'not-ready',
  'endpoints-stale',
  'evicted',
  'network-block'
];

describe('Web page: chat box and live healing timeline (Chromium)', () => {
  let relay: RunningFunction;
  let proxy: CutProxy;
  let browser: Browser;

  const post = async (def: EventDef, data: unknown): Promise<void> => {
    const res = await postEvent(relay.url, cloudEvent(def, asSent(def, data)));
    if (res.status !== 202) throw new Error(`relay answered ${res.status}`);
  };
  const newSession = (): { sessionId: string; token: string } => {
    const sessionId = `page-${Math.random().toString(36).slice(2, 12)}`;
    return { sessionId, token: sessionToken(SECRET, sessionId) };
  };
  /** A page whose chat is a fake that hands out `session`; `local` also fakes the local stack's routes. */
  const openPage = async (
    session: { sessionId: string; token: string } | undefined,
    local = false
  ): Promise<{ page: Page; faultBodies: unknown[] }> => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const faultBodies: unknown[] = [];
    if (session) await page.route('**/chat/sessions', (route) => route.fulfill({ status: 201, json: session }));
    if (local) {
      await page.route('**/local/info', (route) =>
        route.fulfill({
          json: {
            localMode: true,
            claude: 'stand-in',
            demo: { namespace: 'demo', deployment: 'mcp-demo', service: 'mcp-demo' },
            faults: FAULTS,
            tokenHint: '"operatorToken" in /home/me/cortex/.cortex/local.json'
          }
        })
      );
      await page.route('**/local/faults', (route) => {
        faultBodies.push(route.request().postDataJSON());
        return route.fulfill({
          status: 202,
          json: { injected: 'scale-zero', probe: { ok: false, category: 'mcp_unreachable' } }
        });
      });
    }
    await page.goto(`${proxy.url}/`);
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
    return { page, faultBodies };
  };
  const card = (healingId: string): string => `[data-testid="healing-${healingId}"]`;
  const stepIds = (page: Page, healingId: string): Promise<string[]> =>
    page.$$eval(`${card(healingId)} .steps li`, (lis) => lis.map((li) => (li as HTMLElement).dataset.eventId ?? ''));

  beforeAll(async () => {
    relay = await run(sseRelay, {
      overrides: {
        PORT: '0',
        HOST: '127.0.0.1',
        CORTEX_LOG_LEVEL: 'silent',
        CORTEX_SESSION_SECRET: SECRET,
        CORTEX_OPERATOR_TOKEN: OPERATOR_TOKEN,
        CORTEX_RELAY_HEARTBEAT_MS: '200',
        ...TEST_KEY_ENV
      }
    });
    proxy = await startCutProxy(relay.port);
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      // launch() gives every run a fresh temporary profile (user-data-dir).
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run'
      ]
    });
  });
  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await relay?.stop();
  });

  it('follows a healing to "healed", and after the connection is cut mid-healing shows every event exactly once', async () => {
    // Prepare
    const session = newSession();
    const { page } = await openPage(session, true);
    await page.waitForSelector('[data-testid="relay-status"][data-state="live"]', { state: 'attached' });
    await post(Events.HealingStarted, started('h-page', [session.sessionId]));
    await post(Events.HealingProgress, progress('h-page', { done: 1 }));
    await page.waitForFunction((sel) => document.querySelectorAll(`${sel} .steps li`).length === 2, card('h-page'));
    // Act: the connection dies; events arrive while the page cannot reconnect; then it can again
    proxy.refuse(true);
    proxy.cut();
    await page.waitForSelector('[data-testid="relay-status"][data-state="reconnecting"]', { state: 'attached' });
    await post(Events.HealingProgress, progress('h-page', { done: 2, check: 'pod-status', verdict: 'healthy' }));
    await post(
      Events.HealingProgress,
      progress('h-page', {
        stage: 'remediate',
        done: 1,
        total: 1,
        check: undefined,
        verdict: undefined,
        action: 'scale_up',
        outcome: 'applied',
        message: 'scale_up: applied: scaled demo/mcp-demo to 1'
      })
    );
    proxy.refuse(false);
    await post(Events.HealingCompleted, completed('h-page', [session.sessionId]));
    await page.waitForSelector(`${card('h-page')}[data-state="healed"]`, { state: 'attached' });
    // Assess
    const ids = await stepIds(page, 'h-page');
    expect(ids).toHaveLength(5);
    expect(new Set(ids).size).toBe(5);
    expect(ids).toEqual([...ids].sort(compareEventIds));
    expect(await page.textContent(`${card('h-page')} [data-testid="healing-state"]`)).toBe('healed');
    const resumed = proxy.requests.filter(
      (r) => r.startsWith('GET /events?session=') && /\r\nlast-event-id: \d+-\d+\r\n/i.test(r)
    );
    expect(resumed.length).toBeGreaterThanOrEqual(1);
    expect(resumed[0]).toMatch(new RegExp(`last-event-id: ${ids[1]}\\r\\n`, 'i'));
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/relay-page.png', fullPage: true });
    await page.close();
  });

  it('shows the explanation under the healing: root cause, next step, the model and how much was redacted', async () => {
    // Prepare
    const session = newSession();
    const { page } = await openPage(session);
    await page.waitForSelector('[data-testid="relay-status"][data-state="live"]', { state: 'attached' });
    await post(Events.HealingStarted, started('h-why', [session.sessionId]));
    await post(Events.HealingFailed, failed('h-why', [session.sessionId]));
    // Act
    await post(Events.HealingExplained, {
      healingId: 'h-why',
      target: { namespace: 'demo', service: 'mcp-demo' },
      summary: 'The image tag does not exist in the registry.',
      nextStep: 'Fix the image reference of deployment/mcp-demo.',
      model: 'claude-sonnet-5',
      redactions: 3,
      sessionIds: [session.sessionId]
    });
    const why = `${card('h-why')} [data-testid="healing-explanation"]`;
    await page.waitForSelector(`${why}:not([hidden])`, { state: 'attached' });
    // Assess
    expect(await page.textContent(`${why} [data-testid="explanation-summary"]`)).toBe(
      'The image tag does not exist in the registry.'
    );
    expect(await page.textContent(why)).toContain('Next step: Fix the image reference of deployment/mcp-demo.');
    expect(await page.textContent(`${why} [data-testid="explanation-by"]`)).toBe(
      'explained by claude-sonnet-5, 3 values redacted before it'
    );
    // Styled by the page's stylesheet: a rule left inside an unclosed block above it would not apply
    expect(await page.$eval(why, (el) => getComputedStyle(el).borderLeftWidth)).toBe('3px');
    await page.close();
  });

  it('renders each event once when a reconnect replays events the page already shows', async () => {
    // Prepare
    const session = newSession();
    const { page } = await openPage(session);
    await page.waitForSelector('[data-testid="relay-status"][data-state="live"]', { state: 'attached' });
    await post(Events.HealingStarted, started('h-replay', [session.sessionId]));
    await post(Events.HealingProgress, progress('h-replay', { done: 1 }));
    await page.waitForFunction((sel) => document.querySelectorAll(`${sel} .steps li`).length === 2, card('h-replay'));
    const before = proxy.requests.length;
    // Act: the reconnect loses its Last-Event-ID on the way, so the relay sends the whole history again
    proxy.stripLastEventId(true);
    proxy.cut();
    await page.waitForFunction(
      () => document.querySelector('[data-testid="relay-status"]')?.getAttribute('data-state') !== 'live'
    );
    await page.waitForSelector('[data-testid="relay-status"][data-state="live"]', { state: 'attached' });
    proxy.stripLastEventId(false);
    await post(Events.HealingCompleted, completed('h-replay', [session.sessionId]));
    await page.waitForSelector(`${card('h-replay')}[data-state="healed"]`, { state: 'attached' });
    // Assess
    const replayed = proxy.requests
      .slice(before)
      .filter((r) => r.startsWith('GET /events?session=') && /\r\nlast-event-id: /i.test(r));
    expect(replayed.length).toBeGreaterThanOrEqual(1);
    const ids = await stepIds(page, 'h-replay');
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(3);
    await page.close();
  });

  it('shows a failed healing as "needs a human" with the manual steps, and again after a reload (history)', async () => {
    // Prepare
    const session = newSession();
    const { page } = await openPage(session);
    await page.waitForSelector('[data-testid="relay-status"][data-state="live"]', { state: 'attached' });
    // Act
    await post(Events.HealingStarted, started('h-fail', [session.sessionId]));
    await post(Events.HealingFailed, failed('h-fail', [session.sessionId]));
    await page.waitForSelector(`${card('h-fail')}[data-state="failed"]`, { state: 'attached' });
    const steps = await page.$$eval(`${card('h-fail')} [data-testid="manual-steps"] li`, (lis) =>
      lis.map((li) => li.textContent)
    );
    await page.reload();
    await page.waitForSelector(`${card('h-fail')}[data-state="failed"]`, { state: 'attached' });
    // Assess
    expect(await page.getAttribute(card('h-fail'), 'data-reason')).toBe('manual');
    expect(steps).toEqual([
      'Fix the image reference of deployment/mcp-demo',
      'kubectl rollout status -n demo deployment/mcp-demo'
    ]);
    expect(await page.textContent(`${card('h-fail')} [data-testid="healing-state"]`)).toBe('needs a human');
    expect(await stepIds(page, 'h-fail')).toHaveLength(2);
    expect(await page.getAttribute('body', 'data-session-id')).toBe(session.sessionId);
    await page.close();
  });

  it('in local mode shows the stand-in label, injects a fault for this session and logs every CloudEvent', async () => {
    // Prepare
    const session = newSession();
    const { page, faultBodies } = await openPage(session, true);
    await page.fill('[data-testid="operator-token"]', OPERATOR_TOKEN);
    await page.click('[data-testid="operator-token-submit"]');
    await page.waitForSelector('[data-testid="operator-status"][data-state="live"]', { state: 'attached' });
    // Act
    await page.click('[data-testid="fault-scale-zero"]');
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="fault-result"]')?.textContent?.includes('Injected')
    );
    await post(Events.DiagnosisRequested, {
      healingId: 'h-op',
      target: { namespace: 'demo', service: 'mcp-demo' },
      phase: 'diagnose',
      checks: ['pod-status']
    });
    await page.waitForSelector('[data-testid="operator-event"][data-type="dev.cortex.diagnosis.requested"]', {
      state: 'attached'
    });
    // Assess
    expect(await page.textContent('[data-testid="claude-label"]')).toBe('Claude: local stand-in');
    expect(await page.$$eval('[data-testid^="fault-"]:is(button)', (b) => b.length)).toBe(FAULTS.length + 1);
    expect(faultBodies).toEqual([{ fault: 'scale-zero', sessionId: session.sessionId }]);
    const json = await page.textContent('[data-testid="operator-event"][data-type="dev.cortex.diagnosis.requested"] pre');
    expect(JSON.parse(json ?? '{}')).toMatchObject({ type: 'dev.cortex.diagnosis.requested', data: { healingId: 'h-op' } });
    await page.close();
  });

  it('asks for the operator token once: a wrong one is refused and asked for again, the right one streams and is kept for the tab', async () => {
    // Prepare
    const { page } = await openPage(newSession(), true);
    const status = (): Promise<string | null> => page.getAttribute('[data-testid="operator-status"]', 'data-state');
    const asking = (): Promise<boolean> => page.isVisible('[data-testid="operator-token-form"]');
    const firstAsk = { asking: await asking(), status: await status() };
    const hint = await page.textContent('[data-testid="operator-token-hint"]');
    // Act: a wrong token
    await page.fill('[data-testid="operator-token"]', 'not-the-operator-token');
    await page.click('[data-testid="operator-token-submit"]');
    await page.waitForSelector('[data-testid="operator-status"][data-state="unauthorized"]', { state: 'attached' });
    const afterWrong = {
      asking: await asking(),
      stored: await page.evaluate(() => sessionStorage.getItem('cortex.operatorToken'))
    };
    // Act: the right one, then a reload of the tab
    await page.fill('[data-testid="operator-token"]', OPERATOR_TOKEN);
    await page.press('[data-testid="operator-token"]', 'Enter');
    await page.waitForSelector('[data-testid="operator-status"][data-state="live"]', { state: 'attached' });
    await post(Events.ErrorReported, {
      component: 'chat',
      category: 'mcp_unreachable',
      message: 'x',
      occurredAt: new Date().toISOString()
    });
    await page.waitForSelector('[data-testid="operator-event"][data-type="dev.cortex.error.reported"]', {
      state: 'attached'
    });
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
    await page.waitForSelector('[data-testid="operator-status"][data-state="live"]', { state: 'attached' });
    // Assess
    expect(firstAsk).toEqual({ asking: true, status: 'token' });
    expect(hint).toContain('"operatorToken" in /home/me/cortex/.cortex/local.json');
    expect(afterWrong).toEqual({ asking: true, stored: null });
    expect(await asking()).toBe(false);
    expect(await page.evaluate(() => sessionStorage.getItem('cortex.operatorToken'))).toBe(OPERATOR_TOKEN);
    await page.close();
  });

  it('streams a chat answer: tokens, a tool call with its result, and the final text', async () => {
    // Prepare
    const session = newSession();
    const frames = [
      ['session', session],
      ['token', { delta: 'Let me ' }],
      ['tool_call', { id: 't1', name: 'pods_list', server: 'demo', input: { namespace: 'demo' } }],
      ['tool_result', { id: 't1', name: 'pods_list', server: 'demo', isError: false, content: 'mcp-demo-1 Running' }],
      ['token', { delta: 'check.' }],
      ['done', { message: 'All pods in demo are running.' }]
    ];
    const body = frames
      .map(([event, data], i) => `event: ${event as string}\nid: ${i + 1}\ndata: ${JSON.stringify(data)}\n\n`)
      .join('');
    const { page } = await openPage(session);
    let sent: unknown;
    await page.route('**/chat', (route) => {
      sent = route.request().postDataJSON();
      return route.fulfill({ status: 200, headers: { 'content-type': 'text/event-stream' }, body });
    });
    // Act
    await page.fill('#chat-input', 'Are my pods fine?');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="assistant-turn"][data-state="done"]', { state: 'attached' });
    // Assess
    expect(sent).toEqual({ message: 'Are my pods fine?', sessionId: session.sessionId, token: session.token });
    expect(await page.textContent('[data-testid="assistant-text"]')).toBe('All pods in demo are running.');
    expect(await page.textContent('[data-testid="tool-call"] summary')).toBe('Tool pods_list on demo');
    expect(await page.textContent('[data-testid="tool-call"] .result')).toBe('mcp-demo-1 Running');
    await page.close();
  });

  it('keeps working when the chat is not running: a clear message, and the local panel still shows', async () => {
    // Prepare: no fake chat, so /chat/sessions reaches the relay, which has no such route
    // Act
    const { page } = await openPage(undefined, true);
    // Assess
    expect(await page.isVisible('[data-testid="chat-notice"]')).toBe(true);
    expect(await page.textContent('[data-testid="chat-notice"]')).toMatch(/chat is not running/);
    expect(await page.isVisible('[data-testid="local"]')).toBe(true);
    expect(await page.getAttribute('[data-testid="relay-status"]', 'data-state')).toBe('closed');
    await page.close();
  });
});
