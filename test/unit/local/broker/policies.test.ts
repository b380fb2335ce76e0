import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseManifests } from '../../../../local/broker/loader.js';
import { compilePolicies } from '../../../../local/broker/policies.js';
import type { Broker, EventPolicy } from '../../../../local/broker/resources.js';
import { oidcSubject } from '../../../../shared/trust/identity.js';

/*
 * The EventPolicies of knative/oidc as the local broker's ingress applies them, and Eventing's rules for policies in
 * general (knative/eventing pkg/auth/event_policy.go, verifier.go).
 */

const { eventPolicies, brokers } = parseManifests(
  readFileSync('knative/oidc/eventpolicies.yaml', 'utf8'),
  'eventpolicies.yaml'
);
const broker: Broker[] = [
  {
    apiVersion: 'eventing.knative.dev/v1',
    kind: 'Broker',
    metadata: { name: 'default', namespace: 'cortex', labels: { tier: 'a' } }
  }
];
const warn = (): void => undefined;
const decide = compilePolicies(eventPolicies, [...brokers, ...broker], { namespace: 'cortex', warn });
const sb = (fn: string): string => oidcSubject('SinkBinding', 'cortex', fn);
const T = (t: string): string => `dev.cortex.${t}`;

describe('Local broker: EventPolicies at the ingress', () => {
  it.each([
    ['the coordinator', sb('healing-coordinator'), T('remediation.rollout_restart.requested'), true],
    ['the coordinator', sb('healing-coordinator'), T('diagnosis.requested'), true],
    ['the coordinator', sb('healing-coordinator'), T('healing.completed'), true],
    ['the coordinator (its crash report)', sb('healing-coordinator'), T('error.reported'), true],
    ['the chat', sb('chat'), T('error.reported'), true],
    ['the chat', sb('chat'), T('chat.delayed'), true],
    ['the chat', sb('chat'), T('remediation.rollout_restart.requested'), false],
    ['the chat', sb('chat'), T('healing.progress'), false],
    ['a check', sb('check-pod-status'), T('diagnosis.completed'), true],
    ['a check', sb('check-pod-status'), T('diagnosis.requested'), false],
    ['a remediation', sb('remediate-scale-up'), T('remediation.completed'), true],
    ['a remediation', sb('remediate-scale-up'), T('remediation.scale_up.requested'), false],
    ['error-intake', sb('error-intake'), T('healing.requested'), true],
    ['the relay', sb('sse-relay'), T('healing.requested'), false],
    ['the PingSource', oidcSubject('PingSource', 'cortex', 'healing-tick'), 'dev.knative.sources.ping', true],
    ['the operator', 'system:serviceaccount:cortex:cortex-operator', T('error.reported'), true],
    ['the operator', 'system:serviceaccount:cortex:cortex-operator', T('remediation.scale_up.requested'), false],
    ['another account of the namespace', 'system:serviceaccount:cortex:default', T('error.reported'), false]
  ])('%s sending %s: allowed %s', (_who, subject, type, allowed) => {
    // Act
    const decision = decide('cortex/default', subject, { type, source: '/x', id: '1', specversion: '1.0' });
    // Assess
    expect(decision.allowed, decision.reason).toBe(allowed);
  });

  const policy = (name: string, spec: EventPolicy['spec']): EventPolicy => ({
    apiVersion: 'eventing.knative.dev/v1alpha1',
    kind: 'EventPolicy',
    metadata: { name, namespace: 'cortex' },
    spec
  });

  it('lets the namespace in when no policy applies (allow-same-namespace), nobody from elsewhere', () => {
    // Prepare
    const none = compilePolicies(
      [
        policy('other', {
          to: [{ ref: { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', name: 'other' } }],
          from: [{ sub: 'x' }]
        })
      ],
      broker,
      { namespace: 'cortex', warn }
    );
    // Act
    const inside = none('cortex/default', 'system:serviceaccount:cortex:anyone', { type: 't' });
    const outside = none('cortex/default', 'system:serviceaccount:elsewhere:anyone', { type: 't' });
    // Assess
    expect([inside.allowed, outside.allowed]).toEqual([true, false]);
  });

  it('decides by the first policy by name that names the sender, as Eventing does (it does not look further)', () => {
    // Prepare
    const both = [
      policy('b-only-delayed', {
        from: [{ sub: 'system:serviceaccount:cortex:*' }],
        filters: [{ exact: { type: 'dev.cortex.chat.delayed' } }]
      }),
      policy('a-only-errors', {
        from: [{ sub: 'system:serviceaccount:cortex:chat' }],
        filters: [{ exact: { type: 'dev.cortex.error.reported' } }]
      })
    ];
    const decideBoth = compilePolicies(both, broker, { namespace: 'cortex', warn });
    // Act
    const delayed = decideBoth('cortex/default', 'system:serviceaccount:cortex:chat', { type: 'dev.cortex.chat.delayed' });
    const other = decideBoth('cortex/default', 'system:serviceaccount:cortex:relay', { type: 'dev.cortex.chat.delayed' });
    // Assess
    expect(delayed).toEqual({ allowed: false, reason: expect.stringContaining('a-only-errors') });
    expect(other.allowed).toBe(true);
  });

  it('applies a policy that selects the Broker by label, not one whose selector misses it', () => {
    // Prepare
    const selected = (labels: Record<string, string>) =>
      compilePolicies(
        [
          policy('sel', {
            to: [{ selector: { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', matchLabels: labels } }],
            from: [{ sub: 'nobody' }]
          })
        ],
        broker,
        { namespace: 'cortex', warn }
      )('cortex/default', 'system:serviceaccount:cortex:x', { type: 't' });
    // Assess
    expect(selected({ tier: 'a' }).allowed).toBe(false);
    expect(selected({ tier: 'b' }).allowed).toBe(true);
  });
});
