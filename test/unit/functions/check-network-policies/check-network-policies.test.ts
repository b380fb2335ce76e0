import { describe, expect, it } from 'vitest';
import checkNetworkPolicies from '../../../../functions/check-network-policies/index.js';
import { ForbiddenError } from '../../../../shared/runtime/errors.js';
import { ctxFor } from '../../../fakes/ctx.js';
import { createFakeKube } from '../../../fakes/kube.js';
import { healthyCluster, networkPolicy, request, runCheckOn, service } from '../../../helpers/check-cluster.js';

const denyAll = networkPolicy('mcp-demo-deny-all', {
  podSelector: { matchLabels: { app: 'mcp-demo' } },
  policyTypes: ['Ingress'],
  ingress: []
});

describe('Function: check-network-policies', () => {
  it('returns no intents when the request does not list network-policies', async () => {
    // Prepare
    const ctx = await ctxFor(checkNetworkPolicies, { kube: createFakeKube(healthyCluster()) });
    // Act
    const intents = await checkNetworkPolicies.handle(request(['pod-status']), ctx);
    // Assess
    expect(intents).toEqual([]);
  });

  it('is healthy when no policy isolates the pods', async () => {
    // Prepare
    const other = networkPolicy('tools-only', {
      podSelector: { matchLabels: { app: 'mcp-tools' } },
      policyTypes: ['Ingress']
    });
    // Act
    const out = await runCheckOn(checkNetworkPolicies, 'network-policies', {
      ...healthyCluster(),
      networkPolicies: [other]
    });
    // Assess
    expect(out.verdict).toBe('healthy');
    expect(out.summary).toBe('No NetworkPolicy isolates the pods of demo/mcp-demo (1 policy in demo): ingress is open');
  });

  it('names a deny-all policy that blocks the chat, with no automatic action', async () => {
    // Act
    const out = await runCheckOn(checkNetworkPolicies, 'network-policies', {
      ...healthyCluster(),
      networkPolicies: [denyAll]
    });
    // Assess
    expect(out.verdict).toBe('problem');
    expect(out.summary).toBe(
      "NetworkPolicy mcp-demo-deny-all blocks the chat's traffic (namespace cortex, pods app.kubernetes.io/part-of=cortex) to demo/mcp-demo on port 3000 (http)/TCP: it denies all ingress (no ingress rules)"
    );
    expect(out.recommendation).toBeUndefined();
    expect(out.evidence).toContainEqual({
      subject: 'networkpolicy/mcp-demo-deny-all',
      detail: 'port 3000 (http)/TCP: denies all ingress (no ingress rules)',
      reason: 'Blocks'
    });
  });

  it('is healthy when an allow policy admits the chat next to the deny-all', async () => {
    // Prepare
    const allow = networkPolicy('allow-cortex', {
      podSelector: { matchLabels: { app: 'mcp-demo' } },
      ingress: [
        {
          _from: [{ namespaceSelector: { matchLabels: { 'app.kubernetes.io/part-of': 'cortex' } } }],
          ports: [{ port: 'http' }]
        }
      ]
    });
    // Act
    const out = await runCheckOn(checkNetworkPolicies, 'network-policies', {
      ...healthyCluster(),
      networkPolicies: [denyAll, allow]
    });
    // Assess
    expect(out.verdict).toBe('healthy');
    expect(out.summary).toBe(
      "NetworkPolicies of demo/mcp-demo admit the chat's traffic: mcp-demo-deny-all, allow-cortex select its pods and allow it"
    );
  });

  it('takes where the chat comes from from configuration', async () => {
    // Prepare
    const allowChatNs = networkPolicy('allow-chat-ns', {
      podSelector: {},
      ingress: [{ _from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'chat-prod' } } }] }]
    });
    const c = { ...healthyCluster(), networkPolicies: [allowChatNs] };
    // Act
    const byDefault = await runCheckOn(checkNetworkPolicies, 'network-policies', c);
    const configured = await runCheckOn(checkNetworkPolicies, 'network-policies', c, {
      env: { CORTEX_CHAT_NAMESPACE: 'chat-prod' }
    });
    // Assess
    expect(byDefault.verdict).toBe('problem');
    expect(configured.verdict).toBe('healthy');
  });

  it('resolves a named Service targetPort through the pod template', async () => {
    // Prepare
    const onlyMetrics = networkPolicy('metrics-only', { podSelector: {}, ingress: [{ ports: [{ port: 9090 }] }] });
    const c = { ...healthyCluster(), services: [service({ targetPort: 'http' })], networkPolicies: [onlyMetrics] };
    // Act
    const out = await runCheckOn(checkNetworkPolicies, 'network-policies', c);
    // Assess
    expect(out.verdict).toBe('problem');
    expect(out.summary).toContain('on port 3000 (http)/TCP');
  });

  it('is inconclusive when only an ipBlock could admit the chat', async () => {
    // Prepare
    const byIp = networkPolicy('office-only', {
      podSelector: {},
      ingress: [{ _from: [{ ipBlock: { cidr: '192.168.0.0/16' } }] }]
    });
    // Act
    const out = await runCheckOn(checkNetworkPolicies, 'network-policies', { ...healthyCluster(), networkPolicies: [byIp] });
    // Assess
    expect(out.verdict).toBe('inconclusive');
    expect(out.summary).toBe(
      "Only IP-block rules of NetworkPolicy office-only could admit the chat's traffic to demo/mcp-demo: whether its pod IP is in them cannot be told from the API"
    );
  });

  it('is inconclusive when there is no workload to evaluate', async () => {
    // Act
    const out = await runCheckOn(checkNetworkPolicies, 'network-policies', { networkPolicies: [denyAll] });
    // Assess
    expect(out.verdict).toBe('inconclusive');
    expect(out.summary).toBe(
      'No workload behind demo/mcp-demo: neither Service demo/mcp-demo nor a Deployment of that name exists: no pods to evaluate policies for'
    );
  });

  it('is inconclusive when listing policies is forbidden', async () => {
    // Prepare
    const kube = createFakeKube(healthyCluster());
    kube.failNext('listNetworkPolicies', new ForbiddenError('listing networkpolicies in demo failed: 403'));
    // Act
    const out = await runCheckOn(checkNetworkPolicies, 'network-policies', kube);
    // Assess
    expect(out).toMatchObject({
      verdict: 'inconclusive',
      summary: 'forbidden: listing networkpolicies in demo failed: 403'
    });
  });
});
