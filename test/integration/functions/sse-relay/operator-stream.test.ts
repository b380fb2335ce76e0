import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Events } from '../../../../shared/events/catalog.js';
import { demoTarget, started } from '../../../helpers/healing.js';
import { openSse } from '../../../helpers/sse.js';
import { compareEventIds } from '../../../../shared/sse/event-id.js';
import { useRedisServer } from '../../../helpers/redis.js';
import { OPERATOR_TOKEN, relayStores, startRelay, type Relay } from './harness.js';

const redis = useRedisServer();

const diagnosis = (healingId: string) => ({ healingId, target: demoTarget, phase: 'diagnose', checks: ['pod-status'] });

describe.each(relayStores(redis))('Function: sse-relay over real HTTP (%s), operator stream', (_store, env) => {
  let relay: Relay;
  beforeAll(async () => {
    relay = await startRelay(env());
  });
  afterAll(async () => {
    await relay.stop();
  });

  it.each([
    ['no token', '/events?operator=1', {}],
    ['a wrong token', `/events?operator=1&token=${'y'.repeat(31)}`, {}],
    ['a session token', '/events?operator=1&token=SESSION', {}],
    ['a wrong bearer', '/events?operator=1', { authorization: `Bearer ${'z'.repeat(31)}` }]
  ])('answers 401 JSON with %s', async (_name, path, headers) => {
    // Prepare
    const url = `${relay.fn.url}${path.replace('SESSION', relay.session('op').token)}`;
    // Act
    const c = await openSse(url, headers);
    // Assess
    expect(c.status).toBe(401);
    expect(c.error).toMatchObject({ error: { code: 'unauthorized' } });
  });

  it('accepts the operator token as a bearer header too', async () => {
    // Prepare
    const headers = { authorization: `Bearer ${OPERATOR_TOKEN}` };
    // Act
    const c = await openSse(`${relay.fn.url}/events?operator=1&history=0`, headers);
    await c.until((x) => x.messages.length >= 1);
    c.close();
    // Assess
    expect(c.status).toBe(200);
    expect(c.messages.map((m) => m.event)).toEqual(['connected']);
  });

  it('streams every event whole: event = CloudEvent type, data = the structured CloudEvent, id = the log entry id', async () => {
    // Prepare
    const c = await openSse(relay.operatorUrl('&history=0'));
    await c.until((x) => x.messages.length >= 1);
    // Act
    const ce = await relay.post(Events.DiagnosisRequested, diagnosis('h-op-1'), { correlationid: 'corr-1' }, 'structured');
    await c.until((x) => x.messages.length >= 2);
    c.close();
    // Assess
    const [, msg] = c.messages;
    expect(msg?.event).toBe('dev.cortex.diagnosis.requested');
    expect(compareEventIds(msg!.id!, c.messages[0]!.id!)).toBeGreaterThan(0);
    expect(JSON.parse(msg!.data)).toEqual({
      specversion: '1.0',
      id: ce.id,
      source: '/cortex/healing-coordinator',
      type: 'dev.cortex.diagnosis.requested',
      time: '2026-11-27T10:00:00.000Z',
      datacontenttype: 'application/json',
      correlationid: 'corr-1',
      data: diagnosis('h-op-1')
    });
  });

  it('shows a dead letter with its knativeerror* extensions', async () => {
    // Prepare
    const c = await openSse(relay.operatorUrl('&history=0'));
    await c.until((x) => x.messages.length >= 1);
    const ext = {
      knativeerrordest: 'http://chat.cortex.svc.cluster.local',
      knativeerrorcode: '503',
      knativeerrordata: Buffer.from('chat is down').toString('base64')
    };
    // Act
    const ce = await relay.post(Events.HealingStarted, started('h-dead', ['session-dead1']), ext);
    await c.until((x) => x.messages.length >= 2);
    c.close();
    // Assess
    expect(c.messages[1]?.event).toBe('dev.cortex.healing.started');
    expect(JSON.parse(c.messages[1]!.data)).toMatchObject({ id: ce.id, ...ext, data: { healingId: 'h-dead' } });
  });

  it('replays the last ?history=N events, and everything after Last-Event-ID', async () => {
    // Prepare
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await relay.post(Events.DiagnosisRequested, diagnosis(`h-hist-${i}`))).id);
    // Act
    const last2 = await openSse(relay.operatorUrl('&history=2'));
    await last2.until((x) => x.messages.length >= 3);
    last2.close();
    const after = await openSse(relay.operatorUrl('&history=0'), { 'last-event-id': last2.messages[1]!.id! });
    await after.until((x) => x.messages.length >= 2);
    after.close();
    // Assess
    expect(last2.messages.slice(1).map((m) => JSON.parse(m.data).id)).toEqual(ids.slice(1));
    expect(after.messages.slice(1).map((m) => JSON.parse(m.data).id)).toEqual(ids.slice(2));
  });

  it('filters on &session= by the session routing rule', async () => {
    // Prepare
    const s = relay.session('filter');
    const c = await openSse(relay.operatorUrl(`&history=0&session=${s.id}`));
    await c.until((x) => x.messages.length >= 1);
    // Act
    await relay.post(Events.HealingStarted, started('h-other', ['session-other1']));
    await relay.post(Events.HealingStarted, started('h-mine', [s.id]));
    await relay.post(Events.DiagnosisRequested, diagnosis('h-mine'));
    await c.until((x) => x.messages.length >= 3);
    c.close();
    // Assess
    expect(c.messages.slice(1).map((m) => [m.event, JSON.parse(m.data).data.healingId])).toEqual([
      ['dev.cortex.healing.started', 'h-mine'],
      ['dev.cortex.diagnosis.requested', 'h-mine']
    ]);
  });

  it('answers 400 JSON to a history that is not a number', async () => {
    // Prepare
    const url = relay.operatorUrl('&history=lots');
    // Act
    const c = await openSse(url);
    // Assess
    expect(c.status).toBe(400);
    expect(c.error).toMatchObject({ error: { code: 'bad_request' } });
  });
});
