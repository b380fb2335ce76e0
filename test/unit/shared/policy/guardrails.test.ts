import { describe, expect, it } from 'vitest';
import { createPolicy, decide, decideNamespace, type PolicyRules } from '../../../../shared/policy/guardrails.js';

const rules = (o: Partial<PolicyRules> = {}): PolicyRules => ({
  mode: 'enforce',
  allowedNamespaces: ['*'],
  protectedNamespaces: ['kube-system', 'kube-public', 'kube-node-lease', 'knative-*'],
  ...o
});
const OPTED_IN = { 'cortex.dev/self-heal': 'enabled', app: 'api' };
const target = (namespace: string) => ({ namespace, service: 'api' });

describe('Guardrails: decide', () => {
  it.each([
    // name, rules, namespace, labels, request dryRun, allowed, dryRun, reason
    [
      'opted in, any namespace allowed',
      rules(),
      'demo',
      OPTED_IN,
      false,
      true,
      false,
      /demo\/api is opted in and namespace demo is allowed$/
    ],
    [
      'label missing',
      rules(),
      'demo',
      { app: 'api' },
      false,
      false,
      undefined,
      /not opted in \(label cortex.dev\/self-heal is missing\)/
    ],
    [
      'label with another value',
      rules(),
      'demo',
      { 'cortex.dev/self-heal': 'Enabled' },
      false,
      false,
      undefined,
      /is "Enabled", not "enabled"/
    ],
    ['label disabled', rules(), 'demo', { 'cortex.dev/self-heal': 'disabled' }, false, false, undefined, /not opted in/],
    [
      'unreadable labels',
      rules(),
      'demo',
      undefined,
      false,
      false,
      undefined,
      /could not be read, so its opt-in is unknown/
    ],
    [
      'protected kube-system, even opted in',
      rules(),
      'kube-system',
      OPTED_IN,
      false,
      false,
      undefined,
      /namespace kube-system is protected/
    ],
    [
      'protected by pattern knative-*',
      rules(),
      'knative-serving',
      OPTED_IN,
      false,
      false,
      undefined,
      /namespace knative-serving is protected/
    ],
    [
      'protected wins over an explicit allow',
      rules({ allowedNamespaces: ['kube-system'] }),
      'kube-system',
      OPTED_IN,
      false,
      false,
      undefined,
      /protected/
    ],
    [
      'allow-list by exact name',
      rules({ allowedNamespaces: ['demo', 'tools'] }),
      'tools',
      OPTED_IN,
      false,
      true,
      false,
      /allowed/
    ],
    [
      'allow-list by pattern',
      rules({ allowedNamespaces: ['team-*'] }),
      'team-search',
      OPTED_IN,
      false,
      true,
      false,
      /allowed/
    ],
    [
      'pattern does not match a mere prefix word',
      rules({ allowedNamespaces: ['team-*'] }),
      'teams',
      OPTED_IN,
      false,
      false,
      undefined,
      /not in the allow-list \(team-\*\)/
    ],
    [
      'not in the allow-list',
      rules({ allowedNamespaces: ['demo'] }),
      'prod',
      OPTED_IN,
      false,
      false,
      undefined,
      /namespace prod is not in the allow-list \(demo\)/
    ],
    [
      'empty allow-list allows nothing',
      rules({ allowedNamespaces: [] }),
      'demo',
      OPTED_IN,
      false,
      false,
      undefined,
      /allow-list \(empty\)/
    ],
    ['dry-run mode', rules({ mode: 'dry-run' }), 'demo', OPTED_IN, false, true, true, /\(dry-run mode\)$/],
    ['dry run asked by the request', rules(), 'demo', OPTED_IN, true, true, true, /\(dry run requested\)$/],
    ['dry-run mode and request', rules({ mode: 'dry-run' }), 'demo', OPTED_IN, true, true, true, /\(dry-run mode\)$/],
    ['dry-run mode does not lift a denial', rules({ mode: 'dry-run' }), 'demo', {}, true, false, undefined, /not opted in/]
  ] as const)('%s', (_name, r, ns, labels, dryRun, allowed, expectDryRun, reason) => {
    // Act
    const d = decide(r, { action: 'restart_pods', target: target(ns), labels, dryRun });
    // Assess
    expect(d.allowed).toBe(allowed);
    expect(d.reason).toMatch(reason);
    if (d.allowed) expect(d.dryRun).toBe(expectDryRun);
    else expect(d.manualSteps[0]).toBe(`Cortex did not run restart_pods on ${ns}/api: ${d.reason}.`);
  });

  it('tells a human how to opt in when the label is missing, with the names filled in', () => {
    // Act
    const d = decide(rules(), {
      action: 'scale_up',
      target: { namespace: 'demo', service: 'legacy-api' },
      labels: {},
      workload: { deployment: 'legacy-api-v2', selector: 'app=legacy-api' }
    });
    // Assess
    expect(d.allowed).toBe(false);
    expect(!d.allowed && d.manualSteps).toEqual([
      'Cortex did not run scale_up on demo/legacy-api: demo/legacy-api is not opted in (label cortex.dev/self-heal is missing).',
      'To allow automatic healing: kubectl label deployment -n demo legacy-api-v2 cortex.dev/self-heal=enabled --overwrite',
      'Inspect it by hand: kubectl describe service -n demo legacy-api; kubectl get pods -n demo -l app=legacy-api -o wide'
    ]);
  });

  it('leaves no placeholder when the workload is not known (a namespace denial reads nothing)', () => {
    // Act
    const d = decideNamespace(rules(), { action: 'scale_up', target: { namespace: 'kube-system', service: 'dns' } });
    // Assess
    expect(!d.allowed && d.manualSteps.join('\n')).not.toMatch(/<[a-z][^>]*>/);
    expect(!d.allowed && d.manualSteps.at(-1)).toBe(
      'Inspect it by hand: kubectl describe service -n kube-system dns; kubectl get endpoints -n kube-system dns'
    );
  });
});

describe('Guardrails: decideNamespace', () => {
  it.each([
    ['kube-system', rules(), false],
    ['knative-eventing', rules(), false],
    ['demo', rules(), true],
    ['demo', rules({ allowedNamespaces: ['other'] }), false]
  ] as const)('%s → allowed %s, without labels', (ns, r, allowed) => {
    // Act
    const d = decideNamespace(r, { action: 'report_oom', target: target(ns) });
    // Assess
    expect(d.allowed).toBe(allowed);
  });

  it('is bound to the configured rules by createPolicy', () => {
    // Prepare
    const policy = createPolicy(rules({ mode: 'dry-run', allowedNamespaces: ['demo'] }));
    // Act
    const ok = policy.decide({ action: 'scale_up', target: target('demo'), labels: OPTED_IN });
    const no = policy.decideNamespace({ action: 'scale_up', target: target('prod') });
    // Assess
    expect(policy.mode).toBe('dry-run');
    expect(ok).toEqual({
      allowed: true,
      dryRun: true,
      reason: 'demo/api is opted in and namespace demo is allowed (dry-run mode)'
    });
    expect(no.allowed).toBe(false);
  });
});
