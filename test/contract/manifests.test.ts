import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Broker } from '@kubernetes-models/knative/eventing.knative.dev/v1/Broker';
import { Trigger } from '@kubernetes-models/knative/eventing.knative.dev/v1/Trigger';
import { Service } from '@kubernetes-models/knative/serving.knative.dev/v1/Service';
import { PingSource } from '@kubernetes-models/knative/sources.knative.dev/v1/PingSource';
import { SinkBinding } from '@kubernetes-models/knative/sources.knative.dev/v1/SinkBinding';
import { ConfigMap, Namespace, Secret, ServiceAccount } from 'kubernetes-models/v1';
import { ClusterRole, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { loadAll } from '../../functions/index.js';
import { renderManifests } from '../../scripts/knative/render.js';
import { readManifests } from '../helpers/manifests.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const MODELS: Record<string, new (o: any) => { validate(): void }> = {
  'eventing.knative.dev/v1/Broker': Broker,
  'eventing.knative.dev/v1/Trigger': Trigger,
  'serving.knative.dev/v1/Service': Service,
  'sources.knative.dev/v1/PingSource': PingSource,
  'sources.knative.dev/v1/SinkBinding': SinkBinding,
  'v1/ConfigMap': ConfigMap,
  'v1/Namespace': Namespace,
  'v1/Secret': Secret,
  'v1/ServiceAccount': ServiceAccount,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding
};

const manifests = readManifests().filter((m) => m.object.kind !== 'Kustomization' && !m.file.endsWith('kustomizeconfig.yaml'));
const defs = await loadAll();

describe('Contract: knative/ manifests', () => {
  it('is exactly what the function definitions generate (run `npm run gen` after changing a function)', () => {
    // Prepare
    const expected = renderManifests(defs);
    // Assess
    for (const [rel, text] of expected) expect(readFileSync(`knative/${rel}`, 'utf8'), rel).toBe(text);
    const onDisk = new Set(readManifests().map((m) => m.file));
    for (const rel of onDisk) expect(expected.has(rel), `${rel} is not generated: stale file?`).toBe(true);
  });

  it.each(manifests.map((m) => [`${m.file}: ${m.object.kind}/${m.object.metadata?.name}`, m] as const))('validates %s', (_n, m) => {
    // Prepare
    const Model = MODELS[`${m.object.apiVersion}/${m.object.kind}`];
    // Assess
    expect(Model, `no schema for ${m.object.apiVersion} ${m.object.kind}`).toBeDefined();
    expect(() => new Model!(m.object).validate()).not.toThrow();
  });

  it('checks what the Knative models miss: every Trigger names a broker, and filter values are strings', () => {
    for (const { file, object } of manifests.filter((m) => m.object.kind === 'Trigger')) {
      expect(object.spec.broker, file).toBe('default');
      for (const v of Object.values(object.spec.filter?.attributes ?? {})) expect(typeof v, file).toBe('string');
    }
  });

  it('gives every Service probes, a ServiceAccount of its own, resources and scale bounds', () => {
    const accounts = new Set(manifests.filter((m) => m.object.kind === 'ServiceAccount').map((m) => m.object.metadata.name));
    for (const { file, object } of manifests.filter((m) => m.object.kind === 'Service')) {
      const tpl = object.spec.template;
      const [c] = tpl.spec.containers;
      expect(c.readinessProbe?.httpGet?.path, file).toBe('/health/readiness');
      expect(c.livenessProbe?.httpGet?.path, file).toBe('/health/liveness');
      expect(c.resources?.limits?.memory, file).toBeDefined();
      expect(tpl.spec.serviceAccountName, file).toBe(object.metadata.name);
      expect(accounts.has(tpl.spec.serviceAccountName), file).toBe(true);
      expect(tpl.metadata.annotations['autoscaling.knative.dev/max-scale'], file).toBeDefined();
      expect(c.env.find((e: { name: string }) => e.name === 'CORTEX_FUNCTION')?.value, file).toBe(object.metadata.name);
    }
  });

  it('resolves every Trigger subscriber and dead-letter sink to a Service in knative/', () => {
    const services = new Set(manifests.filter((m) => m.object.kind === 'Service').map((m) => m.object.metadata.name));
    for (const { file, object } of manifests.filter((m) => m.object.kind === 'Trigger')) {
      expect(services.has(object.spec.subscriber.ref.name), file).toBe(true);
      const dls = object.spec.delivery?.deadLetterSink?.ref?.name;
      if (dls !== undefined) expect(services.has(dls) || dls === 'sse-relay' || dls === 'healing-coordinator', file).toBe(true);
    }
  });
});
