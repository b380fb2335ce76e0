import { describe, expect, it } from 'vitest';
import {
  evaluateIngress,
  evaluatePolicy,
  matchesSelector,
  type TrafficDestination,
  type TrafficSource,
  type Tri
} from '../../../../functions/check-network-policies/evaluate.js';
import type { NetworkPolicy } from '../../../../shared/kube/port.js';
import { networkPolicy } from '../../../helpers/check-cluster.js';

type Spec = NonNullable<NetworkPolicy['spec']>;

const chat: TrafficSource = {
  namespace: 'cortex',
  podLabels: { 'app.kubernetes.io/part-of': 'cortex', 'cortex.dev/function': 'chat' },
  namespaceLabels: { 'kubernetes.io/metadata.name': 'cortex', 'app.kubernetes.io/part-of': 'cortex' }
};
const dst: TrafficDestination = {
  namespace: 'demo',
  podLabels: { app: 'mcp-demo' },
  port: 3000,
  portName: 'http',
  protocol: 'TCP'
};
const app = { podSelector: { matchLabels: { app: 'mcp-demo' } } };
const fromCortexNs = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'cortex' } } };

describe('NetworkPolicy evaluation (check-network-policies)', () => {
  it.each<[string, Spec, boolean, Tri]>([
    ['deny-all: ingress []', { ...app, policyTypes: ['Ingress'], ingress: [] }, true, false],
    ['deny-all: Ingress type, no rules', { ...app, policyTypes: ['Ingress'] }, true, false],
    ['deny-all: no policyTypes and no rules (Ingress is defaulted)', { ...app }, true, false],
    ['empty podSelector selects every pod', { podSelector: {}, policyTypes: ['Ingress'] }, true, false],
    ['other pods only', { podSelector: { matchLabels: { app: 'other' } }, policyTypes: ['Ingress'] }, false, true],
    ['egress only', { ...app, policyTypes: ['Egress'], egress: [] }, false, true],
    ['allow all: one empty rule', { ...app, ingress: [{}] }, true, true],
    ['namespaceSelector matches cortex', { ...app, ingress: [{ _from: [fromCortexNs] }] }, true, true],
    [
      'namespaceSelector on a configured label',
      { ...app, ingress: [{ _from: [{ namespaceSelector: { matchLabels: { 'app.kubernetes.io/part-of': 'cortex' } } }] }] },
      true,
      true
    ],
    [
      'namespaceSelector for another namespace',
      {
        ...app,
        ingress: [{ _from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }] }]
      },
      true,
      false
    ],
    [
      'podSelector alone means the policy namespace only',
      { ...app, ingress: [{ _from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/part-of': 'cortex' } } }] }] },
      true,
      false
    ],
    [
      'namespace AND pod selector, both match',
      {
        ...app,
        ingress: [{ _from: [{ ...fromCortexNs, podSelector: { matchLabels: { 'cortex.dev/function': 'chat' } } }] }]
      },
      true,
      true
    ],
    [
      'namespace AND pod selector, pod does not match',
      {
        ...app,
        ingress: [{ _from: [{ ...fromCortexNs, podSelector: { matchLabels: { 'cortex.dev/function': 'sse-relay' } } }] }]
      },
      true,
      false
    ],
    [
      'matchExpressions In',
      {
        ...app,
        ingress: [
          {
            _from: [
              {
                namespaceSelector: {
                  matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['cortex', 'ops'] }]
                }
              }
            ]
          }
        ]
      },
      true,
      true
    ],
    [
      'matchExpressions NotIn',
      {
        ...app,
        ingress: [
          {
            _from: [
              {
                namespaceSelector: {
                  matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['cortex'] }]
                }
              }
            ]
          }
        ]
      },
      true,
      false
    ],
    [
      'matchExpressions Exists',
      {
        ...app,
        ingress: [
          {
            _from: [{ namespaceSelector: { matchExpressions: [{ key: 'app.kubernetes.io/part-of', operator: 'Exists' }] } }]
          }
        ]
      },
      true,
      true
    ],
    [
      'matchExpressions DoesNotExist',
      {
        ...app,
        ingress: [
          {
            _from: [
              { namespaceSelector: { matchExpressions: [{ key: 'app.kubernetes.io/part-of', operator: 'DoesNotExist' }] } }
            ]
          }
        ]
      },
      true,
      false
    ],
    ['port number matches', { ...app, ingress: [{ ports: [{ port: 3000 }] }] }, true, true],
    ['port number differs', { ...app, ingress: [{ ports: [{ port: 8080, protocol: 'TCP' }] }] }, true, false],
    ['port range covers', { ...app, ingress: [{ ports: [{ port: 2000, endPort: 4000 }] }] }, true, true],
    ['named port matches', { ...app, ingress: [{ ports: [{ port: 'http' }] }] }, true, true],
    ['named port differs', { ...app, ingress: [{ ports: [{ port: 'metrics' }] }] }, true, false],
    ['UDP only', { ...app, ingress: [{ ports: [{ port: 3000, protocol: 'UDP' }] }] }, true, false],
    ['protocol only, any port', { ...app, ingress: [{ ports: [{ protocol: 'TCP' }] }] }, true, true],
    ['right peer, wrong port', { ...app, ingress: [{ _from: [fromCortexNs], ports: [{ port: 9090 }] }] }, true, false],
    [
      'second rule admits',
      { ...app, ingress: [{ ports: [{ port: 9090 }] }, { _from: [fromCortexNs], ports: [{ port: 3000 }] }] },
      true,
      true
    ],
    ['ipBlock everything', { ...app, ingress: [{ _from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] }, true, true],
    [
      'ipBlock a range: unknown',
      { ...app, ingress: [{ _from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] }] },
      true,
      'unknown'
    ],
    [
      'ipBlock everything but an exception: unknown',
      { ...app, ingress: [{ _from: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }] }] },
      true,
      'unknown'
    ]
  ])('%s', (_name, spec, isolates, admits) => {
    // Act
    const v = evaluatePolicy(networkPolicy('np', spec), chat, dst);
    // Assess
    expect({ isolates: v.isolates, admits: v.admits }).toEqual({ isolates, admits });
  });

  it("accepts the wire name `from` as well as client-node's `_from`", () => {
    // Prepare
    const spec = { ...app, ingress: [{ from: [fromCortexNs] }] } as unknown as Spec;
    // Act
    const v = evaluatePolicy(networkPolicy('wire', spec), chat, dst);
    // Assess
    expect(v.admits).toBe(true);
  });

  it('ignores policies of other namespaces', () => {
    // Act
    const v = evaluatePolicy(networkPolicy('elsewhere', { podSelector: {}, policyTypes: ['Ingress'] }, 'other'), chat, dst);
    // Assess
    expect(v.isolates).toBe(false);
  });

  it.each<[string, Spec[], Tri, string[]]>([
    ['no policy: open', [], true, []],
    ['deny-all alone blocks', [{ podSelector: {}, policyTypes: ['Ingress'] }], false, ['np0']],
    [
      'deny-all plus an allow admits (policies are additive)',
      [
        { podSelector: {}, policyTypes: ['Ingress'] },
        { ...app, ingress: [{ _from: [fromCortexNs] }] }
      ],
      true,
      []
    ],
    [
      'two restrictive policies both block',
      [
        { ...app, ingress: [{ ports: [{ port: 1 }] }] },
        { podSelector: {}, ingress: [] }
      ],
      false,
      ['np0', 'np1']
    ],
    [
      'deny-all plus ipBlock: unknown',
      [
        { podSelector: {}, policyTypes: ['Ingress'] },
        { ...app, ingress: [{ _from: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }] }
      ],
      'unknown',
      []
    ]
  ])('combines policies: %s', (_name, specs, admits, blocking) => {
    // Act
    const r = evaluateIngress(
      specs.map((s, i) => networkPolicy(`np${i}`, s)),
      chat,
      dst
    );
    // Assess
    expect({ admits: r.admits, blocking: r.blocking }).toEqual({ admits, blocking });
  });

  it('treats an absent selector as "everything" and an unknown operator as "nothing"', () => {
    // Assess
    expect(matchesSelector(undefined, { a: 'b' })).toBe(true);
    expect(matchesSelector({}, {})).toBe(true);
    expect(matchesSelector({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }, { a: '2' })).toBe(false);
  });
});
