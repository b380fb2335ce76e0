import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadKnativeDir, parseManifests } from '../../../../local/broker/loader.js';
import { ConfigError } from '../../../../shared/runtime/errors.js';

const TRIGGER = `apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata: { name: check-pod-status, namespace: cortex }
spec:
  broker: default
  filter: { attributes: { type: dev.cortex.diagnosis.requested } }
  delivery: { retry: 3, backoffPolicy: exponential, backoffDelay: PT0.5S, timeout: PT30S }
  subscriber: { ref: { apiVersion: serving.knative.dev/v1, kind: Service, name: check-pod-status } }
`;
const BROKER = `apiVersion: eventing.knative.dev/v1
kind: Broker
metadata: { name: default, namespace: cortex }
spec:
  delivery: { retry: 5 }
`;
const SERVICE = `apiVersion: serving.knative.dev/v1
kind: Service
metadata: { name: check-pod-status }
spec: {}
`;

describe('Knative manifest loader (local/broker/loader)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'broker-loader-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads Brokers and Triggers from *.yaml and *.yml recursively, multi-document, ignoring other kinds', async () => {
    // Prepare
    await mkdir(path.join(dir, 'triggers', 'checks'), { recursive: true });
    await writeFile(path.join(dir, 'broker.yaml'), `${BROKER}---\n${SERVICE}`);
    await writeFile(path.join(dir, 'triggers', 'checks', 'pod-status.yml'), `${SERVICE}---\n${TRIGGER}---\n`);
    await writeFile(path.join(dir, 'kustomization.yaml'), 'resources: [broker.yaml]\n');
    await writeFile(path.join(dir, 'notes.txt'), TRIGGER);
    // Act
    const { brokers, triggers } = await loadKnativeDir(dir);
    // Assess
    expect(brokers.map((b) => b.metadata.name)).toEqual(['default']);
    expect(brokers[0]!.spec?.delivery).toEqual({ retry: 5 });
    expect(triggers.map((t) => t.metadata.name)).toEqual(['check-pod-status']);
    expect(triggers[0]!.spec.filter?.attributes).toEqual({ type: 'dev.cortex.diagnosis.requested' });
  });

  it('names the file and the document index when YAML does not parse', () => {
    // Prepare
    const yaml = `${SERVICE}---\nkind: Trigger\n  bad: [indent\n`;
    // Act
    const act = (): unknown => parseManifests(yaml, 'knative/bad.yaml');
    // Assess
    expect(act).toThrow(ConfigError);
    expect(act).toThrow(/knative\/bad\.yaml, document 1: YAML does not parse/);
  });

  it('rejects a Trigger without a broker or a subscriber, naming the field', () => {
    // Prepare
    const noBroker = TRIGGER.replace('  broker: default\n', '');
    const noSubscriber = TRIGGER.replace(/ {2}subscriber:.*\n/, '');
    // Act
    const a = (): unknown => parseManifests(noBroker, 'a.yaml');
    const b = (): unknown => parseManifests(`${SERVICE}---\n${noSubscriber}`, 'b.yaml');
    // Assess
    expect(a).toThrow(/a\.yaml, document 0: invalid Trigger "check-pod-status": spec\.broker: is required/);
    expect(b).toThrow(/b\.yaml, document 1: invalid Trigger "check-pod-status": spec\.subscriber: is required/);
  });

  it('rejects an invalid delivery duration, backoff policy or filter dialect', () => {
    // Prepare
    const badDelay = TRIGGER.replace('PT0.5S', '500ms');
    const badPolicy = TRIGGER.replace('backoffPolicy: exponential', 'backoffPolicy: fibonacci');
    const badDialect = TRIGGER.replace(/ {2}filter:.*\n/, '  filters: [ { regex: { type: x } } ]\n');
    const twoDialects = TRIGGER.replace(/ {2}filter:.*\n/, '  filters: [ { exact: { type: x }, prefix: { type: y } } ]\n');
    // Act
    const delay = (): unknown => parseManifests(badDelay, 'd.yaml');
    const policy = (): unknown => parseManifests(badPolicy, 'p.yaml');
    const dialect = (): unknown => parseManifests(badDialect, 'f.yaml');
    const two = (): unknown => parseManifests(twoDialects, 't.yaml');
    // Assess
    expect(delay).toThrow(/spec\.delivery\.backoffDelay: not an ISO-8601 duration/);
    expect(policy).toThrow(/spec\.delivery\.backoffPolicy/);
    expect(dialect).toThrow(/spec\.filters\.0.*regex/);
    expect(two).toThrow(/exactly one dialect/);
  });

  it('accepts every filter dialect and a uri-only or ref+uri destination', () => {
    // Prepare
    const yaml = TRIGGER.replace(
      / {2}filter:.*\n/,
      `  filters:
    - exact: { type: a }
    - prefix: { type: dev. }
    - suffix: { source: /chat }
    - all: [ { exact: { type: a } } ]
    - any: [ { exact: { type: a } }, { exact: { type: b } } ]
    - not: { exact: { type: c } }
    - cesql: "type = 'a'"
`
    ).replace(/ {2}subscriber:.*\n/, '  subscriber: { ref: { kind: Service, name: x }, uri: /path }\n');
    // Act
    const { triggers } = parseManifests(yaml, 'ok.yaml');
    // Assess
    expect(triggers[0]!.spec.filters).toHaveLength(7);
    expect(triggers[0]!.spec.subscriber).toEqual({ ref: { kind: 'Service', name: 'x' }, uri: '/path' });
  });

  it('rejects a relative uri without a ref', () => {
    // Prepare
    const yaml = TRIGGER.replace(/ {2}subscriber:.*\n/, '  subscriber: { uri: /path }\n');
    // Act
    const act = (): unknown => parseManifests(yaml, 'u.yaml');
    // Assess
    expect(act).toThrow(/absolute/);
  });
});
