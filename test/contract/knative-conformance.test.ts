import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KNATIVE_CRD_DIR, schemaProblems } from '../helpers/k8s-schemas.js';
import { webhookViolations } from '../helpers/knative-webhook.js';
import { kustomize, type K8sObject } from '../helpers/manifests.js';
import { readmeFeatureFlags, readmeOidcFlags, readmeSection, renderReadmeOverlay } from '../helpers/readme.js';

/*
 * What a stock Knative install (Serving v1.23, Eventing v1.22) does with what an operator applies: `knative/`, each
 * `knative/targets/<ns>` and the README's Kafka overlay, rendered by kubectl 1.20 as `kubectl apply -k` would. Each
 * object must be stored as written (vendored CRD schemas, nothing pruned; core kinds through kubernetes-models) and
 * pass the admission webhooks with only the feature flags the README names. Rules and schemas fail on the broken
 * manifests of test/contract/knative-rules.test.ts.
 */

const rendered: Record<string, K8sObject[]> = {
  'knative/': await kustomize('knative'),
  'knative/targets/demo': await kustomize('knative/targets/demo'),
  'knative/redis': await kustomize('knative/redis'),
  'README Kafka overlay': await renderReadmeOverlay(),
  'knative/oidc': await kustomize('knative/oidc')
};
const flags = new Set(readmeFeatureFlags());
const oidcFlags = new Set([...flags, ...readmeOidcFlags()]);
/** Each object with the flags the README says its source needs: none, except authentication-oidc for knative/oidc. */
const objects = Object.entries(rendered).flatMap(([from, list]) =>
  list.map((o) => [`${from}: ${o.kind}/${o.metadata?.name}`, o, from === 'knative/oidc' ? oidcFlags : flags] as const)
);

describe('Contract: a stock Knative install takes what the operator applies', () => {
  it('renders every source an operator applies', () => {
    // Assess
    expect(rendered['knative/']!.filter((o) => o.kind === 'Service').length).toBeGreaterThan(0);
    expect(rendered['knative/targets/demo']!.map((o) => o.kind)).toContain('RoleBinding');
    expect(rendered['knative/redis']!.map((o) => o.kind)).toContain('StatefulSet');
    const broker = rendered['README Kafka overlay']!.find((o) => o.kind === 'Broker');
    expect(broker?.metadata.annotations['eventing.knative.dev/broker.class']).toBe('Kafka');
  });

  it.each(objects)('%s: stored as written (schema, nothing pruned) and admitted by the webhooks', (_name, object, needs) => {
    // Act
    const problems = { schema: schemaProblems(object), webhooks: webhookViolations(object, { flags: needs }) };
    // Assess
    expect(problems).toEqual({ schema: [], webhooks: [] });
  });

  it('needs no feature flag beyond the defaults, and the README says so; knative/oidc needs authentication-oidc alone', () => {
    // Assess
    expect([...flags]).toEqual([]);
    expect(readmeOidcFlags()).toEqual(['authentication-oidc']);
    expect(rendered['knative/oidc']!.filter((o) => o.kind === 'EventPolicy').length).toBeGreaterThan(0);
  });

  it('names in knative/oidc an EventPolicy for every sender of the Broker, and the Trigger audiences validate', () => {
    // Prepare
    const policies = rendered['knative/oidc']!.filter((o) => o.kind === 'EventPolicy');
    const bindings = rendered['knative/']!.filter((o) => o.kind === 'SinkBinding').map((o) => o.metadata.name);
    const senders = policies.flatMap((p) => p.spec.from.map((f: K8sObject) => f.ref?.name ?? f.sub));
    // Assess
    expect(senders.sort()).toEqual([...bindings, 'healing-tick', 'system:serviceaccount:cortex:cortex-operator'].sort());
    for (const t of rendered['knative/']!.filter((o) => o.kind === 'Trigger'))
      expect(t.spec.subscriber.audience, t.metadata.name).toMatch(/^serving\.knative\.dev\/service\/cortex\/[a-z-]+$/);
  });

  it('names in the README the Knative versions whose CRDs the fixtures carry', () => {
    // Prepare
    const deploy = readmeSection('Deploy on Knative');
    const fixtures = readFileSync(`${KNATIVE_CRD_DIR}/README.md`, 'utf8');
    // Assess
    expect(deploy).toMatch(/Knative Serving v1\.23.*Eventing v1\.22/s);
    expect(fixtures).toContain('(v1.23.0)');
    expect(fixtures).toContain('(v1.22.x)');
  });
});
