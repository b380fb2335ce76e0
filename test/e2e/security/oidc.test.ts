import { asAdmin } from '../../helpers/kube-sim.js';
import { CloudEvent, HTTP } from 'cloudevents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../../local/stack/index.js';
import { Events } from '../../../shared/events/catalog.js';
import { brokerAudience, oidcSubject, serviceAudience } from '../../../shared/trust/identity.js';
import { errorReported } from '../../helpers/events.js';
import type { SseClient } from '../../helpers/sse.js';
import { errorReport, operatorStream, outcomeFor, publish, startTestStack } from '../../helpers/stack.js';

/*
 * Eventing's authentication-oidc on the local stack (CORTEX_EVENT_AUTH=oidc): the broker checks a token and the
 * EventPolicies of knative/oidc on every event it takes, signs every delivery with a token of the Trigger's identity
 * for the subscriber's audience, and every function refuses an event without a valid one (401, never retried).
 */

const demo = { namespace: 'demo', service: 'mcp-demo' };
const BROKER_AUDIENCE = brokerAudience('cortex', 'default');

describe('e2e: authenticated delivery on the local stack (CORTEX_EVENT_AUTH=oidc)', () => {
  let stack: LocalStack;
  let ops: SseClient;
  /** POSTs an event (binary mode) to `url` with `token`, if any; returns the status. */
  const post = async (url: string, event: CloudEvent<unknown>, token?: string): Promise<number> => {
    const m = HTTP.binary(event);
    const headers = { ...(m.headers as Record<string, string>), ...(token ? { authorization: `Bearer ${token}` } : {}) };
    const res = await fetch(url, { method: 'POST', headers, body: m.body as string });
    await res.text();
    return res.status;
  };
  const as = (subject: string, audience = BROKER_AUDIENCE): Promise<string> => stack.oidc!.mint(subject, audience);
  const healingCompleted = (): CloudEvent<unknown> =>
    new CloudEvent<unknown>({
      specversion: '1.0',
      id: `forged-${Math.random().toString(36).slice(2)}`,
      source: '/cortex/healing-coordinator',
      type: Events.HealingCompleted.type,
      datacontenttype: 'application/json',
      data: { healingId: 'h-x', target: demo, actions: [], durationMs: 1, summary: 'forged' }
    });

  beforeAll(async () => {
    stack = await startTestStack({ CORTEX_EVENT_AUTH: 'oidc', CORTEX_HEALING_BUDGET: '100' });
    ops = await operatorStream(stack);
  });
  afterAll(async () => {
    ops?.close();
    await stack?.stop();
  });

  it('heals as before: a report with the operator token, scale-up, completed', async () => {
    // Prepare
    const scaled = await fetch(`${stack.state.simulator}/apis/apps/v1/namespaces/demo/deployments/mcp-demo/scale`, {
      method: 'PATCH',
      headers: asAdmin(stack.sim, { 'content-type': 'application/merge-patch+json' }),
      body: JSON.stringify({ spec: { replicas: 0 } })
    });
    expect(scaled.status).toBe(200);
    // Act
    const status = await publish(stack, errorReport(demo));
    const outcome = await outcomeFor(ops, 'mcp-demo');
    // Assess
    expect(status).toBe(202);
    expect(stack.state.eventAuth).toBe('oidc');
    expect(outcome.type).toBe(Events.HealingCompleted.type);
    expect(outcome.data.actions).toEqual(['scale_up']);
  });

  it.each(['sse-relay', 'remediate-rollout-restart', 'error-intake', 'healing-coordinator'])(
    '%s answers 401 to an event without a valid token for itself, 403 to one from outside its namespace',
    async (fn) => {
      // Prepare
      const url = stack.state.functions[fn]!;
      const event = errorReported();
      const trigger = oidcSubject('Trigger', 'cortex', fn);
      // Act
      const statuses = [
        await post(url, event),
        await post(url, event, 'not.a.jwt'),
        await post(url, event, await as(trigger, serviceAudience('cortex', 'chat'))),
        await post(url, event, await as(trigger, BROKER_AUDIENCE)),
        await post(url, event, await as('system:serviceaccount:elsewhere:intruder', serviceAudience('cortex', fn)))
      ];
      // Assess
      expect(statuses).toEqual([401, 401, 401, 401, 403]);
    }
  );

  it('the broker answers 401 without a token, and 403 to an identity its EventPolicies do not let send the type', async () => {
    // Prepare
    const chat = oidcSubject('SinkBinding', 'cortex', 'chat');
    const coordinator = oidcSubject('SinkBinding', 'cortex', 'healing-coordinator');
    const operator = 'system:serviceaccount:cortex:cortex-operator';
    // Act
    const statuses = {
      noToken: await post(stack.broker.url, errorReported()),
      otherAudience: await post(stack.broker.url, errorReported(), await as(operator, serviceAudience('cortex', 'chat'))),
      chatSendsHealing: await post(stack.broker.url, healingCompleted(), await as(chat)),
      operatorSendsHealing: await post(stack.broker.url, healingCompleted(), await as(operator)),
      strangerSendsError: await post(stack.broker.url, errorReported(), await as('system:serviceaccount:cortex:someone')),
      chatSendsError: await post(stack.broker.url, errorReported(), await as(chat)),
      operatorSendsError: await post(stack.broker.url, errorReported(), await as(operator)),
      coordinatorSendsHealing: await post(stack.broker.url, healingCompleted(), await as(coordinator))
    };
    // Assess
    expect(statuses).toEqual({
      noToken: 401,
      otherAudience: 401,
      chatSendsHealing: 403,
      operatorSendsHealing: 403,
      strangerSendsError: 403,
      chatSendsError: 202,
      operatorSendsError: 202,
      coordinatorSendsHealing: 202
    });
  });

  it('serves the issuer: OIDC discovery and a JWKS that verify the tokens it mints', async () => {
    // Act
    const origin = new URL(stack.broker.url).origin;
    const discovery = (await (await fetch(`${origin}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    const jwks = (await (await fetch(String(discovery.jwks_uri))).json()) as { keys: Array<Record<string, unknown>> };
    // Assess
    expect(discovery).toMatchObject({ issuer: origin, jwks_uri: `${origin}/openid/v1/jwks` });
    expect(jwks.keys).toEqual([expect.objectContaining({ kty: 'RSA', alg: 'RS256', use: 'sig' })]);
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });
});
