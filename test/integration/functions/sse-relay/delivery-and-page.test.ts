import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Events } from '../../../../shared/events/catalog.js';
import { started } from '../../../helpers/healing.js';
import { openSse } from '../../../helpers/sse.js';
import { startRelay, type Relay } from './harness.js';

describe('Function: sse-relay over real HTTP, event intake and the web page', () => {
  let relay: Relay;
  beforeAll(async () => {
    relay = await startRelay();
  });
  afterAll(async () => {
    await relay.stop();
  });

  it.each(['binary', 'structured'] as const)(
    'accepts a %s-mode CloudEvent with 202 and an empty body, and keeps it for the operator stream',
    async (mode) => {
      // Prepare
      const healingId = `h-${mode}`;
      // Act
      await relay.post(Events.HealingStarted, started(healingId, ['session-mode1']), {}, mode);
      const op = await openSse(relay.operatorUrl('&history=1'));
      await op.until((x) => x.messages.length >= 2);
      op.close();
      // Assess
      expect(JSON.parse(op.messages[1]!.data)).toMatchObject({ type: Events.HealingStarted.type, data: { healingId } });
    }
  );

  it.each([
    [
      'a 2 MiB body',
      413,
      'payload_too_large',
      JSON.stringify({
        specversion: '1.0',
        id: '1',
        source: '/x',
        type: 'dev.cortex.healing.started',
        data: { pad: 'x'.repeat(2 * 1024 * 1024) }
      })
    ],
    ['malformed JSON', 400, 'invalid_event', '{"specversion":'],
    [
      'a missing id',
      400,
      'invalid_event',
      JSON.stringify({ specversion: '1.0', source: '/x', type: 'dev.cortex.healing.started' })
    ],
    [
      'a type outside the catalog',
      400,
      'invalid_event',
      JSON.stringify({ specversion: '1.0', id: '1', source: '/x', type: 'com.example.nope' })
    ],
    [
      'schema-invalid data',
      400,
      'invalid_event',
      JSON.stringify({
        specversion: '1.0',
        id: '1',
        source: '/x',
        type: 'dev.cortex.healing.started',
        data: { healingId: 'h' }
      })
    ]
  ])('answers %s with %i and a JSON error, like every function', async (_name, status, code, body) => {
    // Prepare
    const headers = { 'content-type': 'application/cloudevents+json' };
    // Act
    const res = await fetch(relay.fn.url, { method: 'POST', headers, body });
    // Assess
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
  });

  it('serves the page at / with a strict content security policy', async () => {
    // Prepare
    const url = `${relay.fn.url}/`;
    // Act
    const res = await fetch(url);
    const html = await res.text();
    // Assess
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(html).toContain('<script type="module" src="assets/app.js"></script>');
  });

  it("serves the page's script and style under /assets, and 404 JSON for anything else", async () => {
    // Prepare
    const base = `${relay.fn.url}/assets`;
    // Act
    const [js, css, missing] = await Promise.all([
      fetch(`${base}/app.js`),
      fetch(`${base}/style.css`),
      fetch(`${base}/nope.js`)
    ]);
    // Assess
    expect([js.status, css.status, missing.status]).toEqual([200, 200, 404]);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });
});
