import { describe, expect, it } from 'vitest';
import {
  SelectorError,
  fieldValue,
  formatLabelSelector,
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
  requirementsFromSelector
} from '../../../../local/kube-sim/selectors.js';
import { type KubeObject } from '../../../../local/kube-sim/types.js';

const labels = { app: 'mcp-demo', tier: 'web', 'cortex.dev/self-heal': 'enabled' };

describe('Kube simulator: label selectors', () => {
  it.each([
    ['', true],
    ['app=mcp-demo', true],
    ['app==mcp-demo', true],
    ['app=other', false],
    ['app!=other', true],
    ['missing!=x', true],
    ['app!=mcp-demo', false],
    ['cortex.dev/self-heal', true],
    ['missing', false],
    ['!missing', true],
    ['!app', false],
    ['tier in (web,api)', true],
    ['tier in (api)', false],
    ['tier notin (api, db)', true],
    ['missing notin (a)', true],
    ['tier notin (web)', false],
    ['app=mcp-demo,tier in (web),!legacy', true],
    ['app=mcp-demo, tier=api', false]
  ])('%s selects the pod: %s', (selector, expected) => {
    // Prepare
    const reqs = parseLabelSelector(selector);

    // Act
    const matched = matchesLabels(reqs, labels);

    // Assess
    expect(matched).toBe(expected);
  });

  it.each(['app=', 'a=b,', 'bad key=x', 'app=in valid'])('rejects or handles %j deterministically', (selector) => {
    // Prepare
    const parse = () => parseLabelSelector(selector);

    // Act
    const outcome = (() => {
      try {
        return parse();
      } catch (e) {
        return e;
      }
    })();

    // Assess
    if (selector === 'app=') expect(outcome).toEqual([{ key: 'app', op: '=', value: '' }]);
    else expect(outcome).toBeInstanceOf(SelectorError);
  });

  it('turns a workload selector into requirements and prints them back', () => {
    // Prepare
    const sel = {
      matchLabels: { app: 'x' },
      matchExpressions: [
        { key: 'env', operator: 'In' as const, values: ['a', 'b'] },
        { key: 'legacy', operator: 'DoesNotExist' as const }
      ]
    };

    // Act
    const reqs = requirementsFromSelector(sel);

    // Assess
    expect(formatLabelSelector(reqs)).toBe('app=x,env in (a,b),!legacy');
    expect(matchesLabels(reqs, { app: 'x', env: 'b' })).toBe(true);
    expect(matchesLabels(reqs, { app: 'x', env: 'b', legacy: 'y' })).toBe(false);
  });
});

describe('Kube simulator: field selectors', () => {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p1', namespace: 'demo' },
    spec: { nodeName: 'sim-node-1' },
    status: { phase: 'Failed' }
  } as unknown as KubeObject;
  const event = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'e', namespace: 'demo' },
    involvedObject: { kind: 'Pod', name: 'p1', namespace: 'demo', uid: 'u-1' },
    reason: 'BackOff',
    type: 'Warning',
    source: { component: 'kubelet' }
  } as unknown as KubeObject;

  it.each([
    ['Pod', pod, 'metadata.name=p1,status.phase=Failed', true],
    ['Pod', pod, 'status.phase!=Failed', false],
    ['Pod', pod, 'spec.nodeName==sim-node-1', true],
    ['Pod', pod, 'metadata.namespace=other', false],
    ['Event', event, 'involvedObject.uid=u-1,involvedObject.kind=Pod,reason=BackOff,type=Warning', true],
    ['Event', event, 'involvedObject.name=p1,involvedObject.namespace=demo,source=kubelet', true],
    ['Event', event, 'reason=Pulled', false]
  ])('%s %s', (kind, obj, selector, expected) => {
    // Prepare
    const reqs = parseFieldSelector(selector, kind);

    // Act
    const matched = matchesFields(reqs, obj);

    // Assess
    expect(matched).toBe(expected);
  });

  it('rejects fields the kind does not support, as the API server does', () => {
    // Prepare
    const selector = 'reason=BackOff';

    // Act
    const parse = () => parseFieldSelector(selector, 'Pod');

    // Assess
    expect(parse).toThrow('field label not supported: reason');
    expect(fieldValue(pod, 'spec.missing')).toBe('');
  });
});
