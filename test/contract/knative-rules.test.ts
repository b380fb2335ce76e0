import { describe, expect, it } from 'vitest';
import { schemaProblems } from '../helpers/k8s-schemas.js';
import { WEBHOOK_RULES, webhookViolations } from '../helpers/knative-webhook.js';
import { readManifests, type K8sObject } from '../helpers/manifests.js';
import { readmeFeatureFlags } from '../helpers/readme.js';

/*
 * Every check the conformance contract relies on, shown failing on a deliberately broken manifest: each one is a
 * generated object of knative/ with one thing changed.
 */

const generated = readManifests().map((m) => m.object);
const base = (kind: string, name?: string): K8sObject =>
  structuredClone(generated.find((o) => o.kind === kind && (!name || o.metadata.name === name))!);
const none = { flags: new Set<string>() };
const podSpec = (o: K8sObject): K8sObject => o.spec.template.spec;
const container = (o: K8sObject): K8sObject => podSpec(o).containers[0];

/** A generated object with one change. The Service is one of a function with an API token (no volumes of its own). */
const changed =
  (kind: string, name?: string) =>
  (change: (o: K8sObject) => void): K8sObject => {
    const o = base(kind, name);
    change(o);
    return o;
  };
const service = changed('Service', 'check-pod-status');
const trigger = changed('Trigger', 'check-pod-logs');
const broker = changed('Broker');

/** One Service field behind each Serving flag that a stock install leaves disabled. */
const FLAGGED: Array<[string, string, (o: K8sObject) => void]> = [
  [
    'the old env POD_NAMESPACE fieldRef',
    'kubernetes.podspec-fieldref',
    (o) => container(o).env.push({ name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } })
  ],
  [
    'an env resourceFieldRef',
    'kubernetes.podspec-fieldref',
    (o) => container(o).env.push({ name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory' } } })
  ],
  ['affinity', 'kubernetes.podspec-affinity', (o) => (podSpec(o).affinity = { nodeAffinity: {} })],
  ['nodeSelector', 'kubernetes.podspec-nodeselector', (o) => (podSpec(o).nodeSelector = { disk: 'ssd' })],
  ['tolerations', 'kubernetes.podspec-tolerations', (o) => (podSpec(o).tolerations = [{ operator: 'Exists' }])],
  [
    'topologySpreadConstraints',
    'kubernetes.podspec-topologyspreadconstraints',
    (o) => (podSpec(o).topologySpreadConstraints = [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' }])
  ],
  ['hostAliases', 'kubernetes.podspec-hostaliases', (o) => (podSpec(o).hostAliases = [{ ip: '10.0.0.1' }])],
  ['a pod securityContext', 'kubernetes.podspec-securitycontext', (o) => (podSpec(o).securityContext = { fsGroup: 1000 })],
  [
    'initContainers',
    'kubernetes.podspec-init-containers',
    (o) => (podSpec(o).initContainers = [{ name: 'init', image: 'busybox' }])
  ],
  ['runtimeClassName', 'kubernetes.podspec-runtimeclassname', (o) => (podSpec(o).runtimeClassName = 'gvisor')],
  ['schedulerName', 'kubernetes.podspec-schedulername', (o) => (podSpec(o).schedulerName = 'custom')],
  ['priorityClassName', 'kubernetes.podspec-priorityclassname', (o) => (podSpec(o).priorityClassName = 'high')],
  ['dnsPolicy', 'kubernetes.podspec-dnspolicy', (o) => (podSpec(o).dnsPolicy = 'None')],
  ['dnsConfig', 'kubernetes.podspec-dnsconfig', (o) => (podSpec(o).dnsConfig = { nameservers: ['1.1.1.1'] })],
  ['hostNetwork', 'kubernetes.podspec-hostnetwork', (o) => (podSpec(o).hostNetwork = true)],
  ['hostIPC', 'kubernetes.podspec-hostipc', (o) => (podSpec(o).hostIPC = true)],
  ['hostPID', 'kubernetes.podspec-hostpid', (o) => (podSpec(o).hostPID = true)],
  [
    'a persistentVolumeClaim volume',
    'kubernetes.podspec-persistent-volume-claim',
    (o) => (podSpec(o).volumes = [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }])
  ],
  [
    'a hostPath volume',
    'kubernetes.podspec-volumes-hostpath',
    (o) => (podSpec(o).volumes = [{ name: 'h', hostPath: { path: '/tmp' } }])
  ],
  ['a csi volume', 'kubernetes.podspec-volumes-csi', (o) => (podSpec(o).volumes = [{ name: 'c', csi: { driver: 'x' } }])],
  [
    'added capabilities',
    'kubernetes.containerspec-addcapabilities',
    (o) => (container(o).securityContext.capabilities.add = ['NET_BIND_SERVICE'])
  ]
];

/** An EventPolicy like knative/oidc's: the Broker accepts events from the PingSource and the chat's account. */
const eventPolicy = (change: (o: K8sObject) => void = () => {}): K8sObject => {
  const o: K8sObject = {
    apiVersion: 'eventing.knative.dev/v1alpha1',
    kind: 'EventPolicy',
    metadata: { name: 'broker-senders', namespace: 'cortex' },
    spec: {
      to: [{ ref: { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', name: 'default' } }],
      from: [
        { ref: { apiVersion: 'sources.knative.dev/v1', kind: 'PingSource', name: 'healing-tick', namespace: 'cortex' } },
        { sub: 'system:serviceaccount:cortex:chat' }
      ]
    }
  };
  change(o);
  return o;
};

const oidc = { flags: new Set(['authentication-oidc']) };

/** [rule id, what is broken, the broken object, what the violation says]. */
const BROKEN: Array<[string, string, K8sObject, string]> = [
  ...FLAGGED.map(([what, flag, change]): [string, string, K8sObject, string] => [
    'serving-feature-flag',
    what,
    service(change),
    flag
  ]),
  ['revision-timeout', 'timeoutSeconds 601', service((o) => (podSpec(o).timeoutSeconds = 601)), 'outside 0..600'],
  ['revision-timeout', 'a negative timeoutSeconds', service((o) => (podSpec(o).timeoutSeconds = -1)), 'outside 0..600'],
  [
    'container-security-context',
    'privileged',
    service((o) => (container(o).securityContext.privileged = true)),
    'securityContext.privileged is not allowed'
  ],
  [
    'container-security-context',
    'seLinuxOptions',
    service((o) => (container(o).securityContext.seLinuxOptions = { level: 's0' })),
    'securityContext.seLinuxOptions is not allowed'
  ],
  [
    'container-security-context',
    'an unknown capabilities field',
    service((o) => (container(o).securityContext.capabilities.keep = ['ALL'])),
    'capabilities.keep is not allowed'
  ],
  [
    'run-as-non-root',
    'runAsNonRoot without runAsUser',
    service((o) => delete container(o).securityContext.runAsUser),
    'without a non-zero runAsUser'
  ],
  [
    'run-as-non-root',
    'runAsNonRoot with runAsUser 0',
    service((o) => (container(o).securityContext.runAsUser = 0)),
    'without a non-zero runAsUser'
  ],
  [
    'eventing-unknown-field',
    'a misspelt delivery field (kept by preserve-unknown-fields, refused by the webhook)',
    trigger((o) => (o.spec.delivery.retries = 3)),
    '.spec.delivery.retries is not a field of Trigger'
  ],
  [
    'eventing-unknown-field',
    'an unknown Trigger spec field',
    trigger((o) => (o.spec.subscribers = o.spec.subscriber)),
    '.spec.subscribers is not a field of Trigger'
  ],
  [
    'eventing-unknown-field',
    'an unknown field in a nested filter',
    trigger((o) => (o.spec.filters = [{ not: { exact: { type: 'x' }, exactly: { type: 'y' } } }])),
    '.spec.filters[0].not.exactly is not a field of Trigger'
  ],
  [
    'eventing-unknown-field',
    'an unknown Broker delivery field',
    broker((o) => (o.spec.delivery.deadLetter = { uri: 'http://x' })),
    '.spec.delivery.deadLetter is not a field of Broker'
  ],
  [
    'eventing-feature-flag',
    'retryAfterMax',
    trigger((o) => (o.spec.delivery.retryAfterMax = 'PT1M')),
    'delivery-retryafter'
  ],
  [
    'delivery-values',
    'an unknown backoffPolicy',
    trigger((o) => (o.spec.delivery.backoffPolicy = 'constant')),
    'not linear or exponential'
  ],
  ['delivery-values', 'an unknown format', broker((o) => (o.spec.delivery.format = 'xml')), 'not json or binary'],
  ['delivery-values', 'a negative retry', trigger((o) => (o.spec.delivery.retry = -1)), 'retry -1 is negative'],
  [
    'delivery-durations',
    'a Go duration as timeout',
    trigger((o) => (o.spec.delivery.timeout = '30s')),
    '.spec.delivery.timeout "30s" is not an ISO-8601 duration'
  ],
  [
    'delivery-durations',
    'a zero timeout',
    trigger((o) => (o.spec.delivery.timeout = 'PT0S')),
    '.spec.delivery.timeout "PT0S"'
  ],
  [
    'delivery-durations',
    'milliseconds as backoffDelay',
    broker((o) => (o.spec.delivery.backoffDelay = '500ms')),
    '.spec.delivery.backoffDelay "500ms"'
  ],
  [
    'trigger-filter-attributes',
    'an upper-case attribute name',
    trigger((o) => (o.spec.filter.attributes = { Type: 'x' })),
    'attributes.Type: attribute names are lowercase'
  ],
  [
    'trigger-filter-attributes',
    'a hyphen in an attribute name',
    trigger((o) => (o.spec.filter.attributes['cortex-id'] = 'x')),
    'attributes.cortex-id: attribute names are lowercase'
  ],
  [
    'trigger-filter-attributes',
    'a number as attribute value',
    trigger((o) => (o.spec.filter.attributes.type = 1)),
    'attributes.type is not a string'
  ],
  ['trigger-broker-subscriber', 'no broker', trigger((o) => delete o.spec.broker), 'exactly one of broker, brokerRef'],
  [
    'trigger-broker-subscriber',
    'both broker and brokerRef',
    trigger((o) => (o.spec.brokerRef = { name: 'default' })),
    'exactly one of broker, brokerRef'
  ],
  [
    'trigger-broker-subscriber',
    'a subscriber with neither ref nor uri',
    trigger((o) => (o.spec.subscriber = {})),
    'needs a ref or a uri'
  ],
  ['eventpolicy-needs-oidc', 'an EventPolicy on a stock install', eventPolicy(), 'authentication-oidc'],
  [
    'eventpolicy-spec',
    'a from with both ref and sub',
    eventPolicy((o) => (o.spec.from[0].sub = 'system:serviceaccount:cortex:x')),
    '.spec.from[0] may set only one of ref, sub'
  ],
  [
    'eventpolicy-spec',
    'a from with neither',
    eventPolicy((o) => (o.spec.from[1] = {})),
    '.spec.from[1] needs one of ref, sub'
  ],
  [
    'eventpolicy-spec',
    'a * inside a sub',
    eventPolicy((o) => (o.spec.from[1].sub = 'system:serviceaccount:*:chat')),
    "'*' is only allowed as suffix"
  ],
  [
    'eventpolicy-spec',
    'a to with neither ref nor selector',
    eventPolicy((o) => (o.spec.to = [{}])),
    'needs one of ref, selector'
  ],
  [
    'eventpolicy-spec',
    'a from.ref without kind',
    eventPolicy((o) => delete o.spec.from[0].ref.kind),
    '.spec.from[0].ref.kind is required'
  ],
  [
    'eventpolicy-spec',
    'a filter with two dialects',
    eventPolicy((o) => (o.spec.filters = [{ exact: { type: 'a' }, prefix: { type: 'b' } }])),
    'needs exactly one of exact'
  ]
];

describe('Contract: the Knative admission rules (test/helpers/knative-webhook.ts)', () => {
  it.each(BROKEN)('%s rejects %s', (id, _what, broken, message) => {
    // Act
    const violations = webhookViolations(broken, none).filter((v) => v.startsWith(`[${id}]`));
    // Assess
    expect(violations.join('\n')).toContain(message);
  });

  it.each(WEBHOOK_RULES.map((r) => [r.id, r] as const))('%s has a broken manifest that fails it', (id) => {
    // Assess
    expect(BROKEN.filter(([rule]) => rule === id).length).toBeGreaterThan(0);
  });

  it.each(FLAGGED)('accepts %s once the README names %s as a prerequisite', (_what, flag, change) => {
    // Act
    const violations = webhookViolations(service(change), { flags: new Set([flag]) });
    // Assess
    expect(violations.filter((v) => v.startsWith('[serving-feature-flag]'))).toEqual([]);
  });

  it("takes the flags from the README's **Feature flags:** line, and wants that line", () => {
    // Prepare
    const oldFieldRef = service(FLAGGED[0]![2]);
    // Act
    const flags = readmeFeatureFlags('- **Feature flags: `kubernetes.podspec-fieldref`.** Set it in config-features.');
    // Assess
    expect(flags).toEqual(['kubernetes.podspec-fieldref']);
    expect(webhookViolations(oldFieldRef, { flags: new Set(flags) })).toEqual([]);
    expect(readmeFeatureFlags('- **Feature flags: none.**')).toEqual([]);
    expect(() => readmeFeatureFlags('- Feature flags are not mentioned')).toThrow('has no **Feature flags: …** line');
  });

  it('accepts what a stock install enables by default: a second container, an emptyDir volume, delivery.timeout', () => {
    // Prepare
    const sidecar = service((o) => {
      podSpec(o).containers.push({ name: 'sidecar', image: 'busybox' });
      podSpec(o).volumes = [{ name: 'scratch', emptyDir: {} }];
    });
    // Act
    const violations = [...webhookViolations(sidecar, none), ...webhookViolations(base('Trigger'), none)];
    // Assess
    expect(violations).toEqual([]);
  });

  it('takes ISO-8601 durations as Knative parses them', () => {
    // Prepare
    const durations = ['PT0.5S', 'PT30S', 'PT1M30S', 'P1D', 'PT1H', 'P1DT2H'];
    // Act
    const violations = durations.flatMap((d) =>
      webhookViolations(
        trigger((o) => (o.spec.delivery.timeout = d)),
        none
      )
    );
    // Assess
    expect(violations).toEqual([]);
  });
});

describe('Contract: EventPolicy (eventing.knative.dev/v1alpha1) is covered', () => {
  it('accepts a well-formed EventPolicy, a trailing * in sub included, where authentication-oidc is on', () => {
    // Prepare
    const prefix = eventPolicy((o) => (o.spec.from[1].sub = 'system:serviceaccount:cortex:*'));
    // Act
    const problems = [
      ...schemaProblems(eventPolicy()),
      ...webhookViolations(eventPolicy(), oidc),
      ...webhookViolations(prefix, oidc)
    ];
    // Assess
    expect(problems).toEqual([]);
  });

  it('rejects a misspelt EventPolicy field: pruned by the API server, refused by the webhook', () => {
    // Prepare
    const broken = eventPolicy((o) => (o.spec.from[1].subject = o.spec.from[1].sub));
    // Act
    const problems = [...schemaProblems(broken), ...webhookViolations(broken, oidc)].join('\n');
    // Assess
    expect(problems).toContain('.spec.from[1].subject: not in the schema, the API server would prune it');
    expect(problems).toContain('[eventing-unknown-field] EventPolicy/broker-senders: .spec.from[1].subject');
  });
});

describe('Contract: the schema check (test/helpers/k8s-schemas.ts)', () => {
  it.each([
    [
      'a misspelt Trigger filter field (pruned)',
      trigger((o) => (o.spec.filter.attribute = { type: 'x' })),
      '.spec.filter.attribute: not in the schema, the API server would prune it'
    ],
    [
      'an unknown container field (pruned)',
      service((o) => (container(o).resource = {})),
      '.spec.template.spec.containers[0].resource: not in the schema'
    ],
    [
      'an unknown metadata field (dropped with ObjectMeta)',
      broker((o) => (o.metadata.label = { a: 'b' })),
      '.metadata.label: not in the schema'
    ],
    [
      'a string where an integer belongs',
      trigger((o) => (o.spec.delivery.retry = '3')),
      '/spec/delivery/retry must be integer'
    ],
    ['an int32 out of range', trigger((o) => (o.spec.delivery.retry = 2 ** 31)), 'must match format "int32"'],
    [
      'a PingSource without its schedule type',
      changed('PingSource')((o) => (o.spec.schedule = 5)),
      '/spec/schedule must be string'
    ],
    ['a core kind with a wrong type', changed('ConfigMap')((o) => (o.data.CORTEX_LOG_LEVEL = 1)), 'must be string'],
    ['a kind with no schema', { apiVersion: 'example.dev/v1', kind: 'Widget', metadata: { name: 'w' } }, 'no schema for']
  ])('rejects %s', (_what, broken, message) => {
    // Act
    const problems = schemaProblems(broken);
    // Assess
    expect(problems.join('\n')).toContain(message);
  });

  it('keeps what the schema preserves: delivery.timeout under x-kubernetes-preserve-unknown-fields', () => {
    // Act
    const problems = schemaProblems(trigger((o) => (o.spec.delivery.timeout = 'PT5S')));
    // Assess
    expect(problems).toEqual([]);
  });
});
