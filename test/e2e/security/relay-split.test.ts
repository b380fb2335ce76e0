import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../../local/stack/index.js';
import { Events } from '../../../shared/events/catalog.js';
import { oidcSubject, serviceAudience } from '../../../shared/trust/identity.js';
import { errorReported, postWithToken } from '../../helpers/events.js';
import { asAdmin } from '../../helpers/kube-sim.js';
import { openSse, type SseClient } from '../../helpers/sse.js';
import { errorReport, operatorStream, outcomeFor, publish, testStackEnv } from '../../helpers/stack.js';

/*
 * The relay split as in a cluster, with Eventing's OIDC emulated (CORTEX_EVENT_AUTH=oidc, npm run start:scaled's
 * layout): the broker delivers to `sse-relay-ingest` processes with tokens for that Service's audience, and a chat
 * session's stream, served by the public `sse-relay` processes, shows the healing. The ingest refuses a delivery
 * without a valid token; the public relay refuses every posted event, token or not.
 */

const demo = { namespace: 'demo', service: 'mcp-demo' };

describe('e2e: the relay split into ingest and stream processes, with authenticated delivery', () => {
  let stack: LocalStack;
  let ops: SseClient;
  const post = postWithToken;

  beforeAll(async () => {
    stack = await startLocalStack({
      overrides: testStackEnv({ CORTEX_EVENT_AUTH: 'oidc', CORTEX_HEALING_BUDGET: '100', CORTEX_REPLICAS: 'sse-relay=1' }),
      privateRedis: true
    });
    ops = await operatorStream(stack);
  });
  afterAll(async () => {
    ops?.close();
    await stack?.stop();
  });

  it("a healing reaches the session's stream on the public relay through the ingest", async () => {
    // Prepare
    const session = (await (await fetch(`${stack.state.frontDoor}/chat/sessions`, { method: 'POST' })).json()) as {
      sessionId: string;
      token: string;
    };
    const stream = await openSse(`${stack.state.frontDoor}/events?session=${session.sessionId}&token=${session.token}`);
    const scaled = await fetch(`${stack.state.simulator}/apis/apps/v1/namespaces/demo/deployments/mcp-demo/scale`, {
      method: 'PATCH',
      headers: asAdmin(stack.sim, { 'content-type': 'application/merge-patch+json' }),
      body: JSON.stringify({ spec: { replicas: 0 } })
    });
    // Act
    const status = await publish(stack, errorReport(demo, { sessionId: session.sessionId }));
    const outcome = await outcomeFor(ops, 'mcp-demo');
    await stream.until((c) => c.messages.some((m) => m.event === 'healing_complete'), 30_000);
    stream.close();
    // Assess
    expect([scaled.status, status]).toEqual([200, 202]);
    expect(outcome.type).toBe(Events.HealingCompleted.type);
    expect(stream.messages.filter((m) => m.event.startsWith('healing_')).map((m) => m.event)).toEqual(
      expect.arrayContaining(['healing_start', 'healing_complete'])
    );
    expect([...stack.replicas.keys()].sort()).toEqual(['sse-relay', 'sse-relay-ingest']);
    expect(stack.state.functions['sse-relay']).not.toBe(stack.state.functions['sse-relay-ingest']);
  });

  it('the ingest takes a delivery only with a token for its own audience; the public relay takes none', async () => {
    // Prepare
    const event = errorReported();
    const trigger = oidcSubject('Trigger', 'cortex', 'sse-relay-error-reported');
    const [ingest, relay] = [stack.state.functions['sse-relay-ingest']!, stack.state.functions['sse-relay']!];
    const forIngest = await stack.oidc!.mint(trigger, serviceAudience('cortex', 'sse-relay-ingest'));
    const forRelay = await stack.oidc!.mint(trigger, serviceAudience('cortex', 'sse-relay'));
    // Act
    const statuses = [
      await post(ingest, event),
      await post(ingest, event, forRelay),
      await post(ingest, event, forIngest),
      await post(relay, event, forRelay),
      await post(relay, event, forIngest)
    ];
    // Assess
    expect(statuses).toEqual([401, 401, 202, 404, 404]);
  });
});
