import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
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
import { KUBECTL } from '../helpers/kubectl.js';
import { readManifests } from '../helpers/manifests.js';

type Rendered = { kind: string; metadata: { name: string; namespace?: string } };
type KnativeService = { spec: { template: { spec: { containers: Array<{ image: string }> } } } };

/** `kubectl kustomize <dir>` with Debian's kubectl 1.20, with no cluster and no network to reach. */
async function kustomize(dir: string): Promise<Rendered[]> {
  const env = {
    ...process.env,
    KUBECONFIG: '/nonexistent/kubeconfig',
    HTTP_PROXY: 'http://127.0.0.1:9',
    HTTPS_PROXY: 'http://127.0.0.1:9'
  };
  const { stdout } = await promisify(execFile)(KUBECTL, ['kustomize', dir], { env, maxBuffer: 16 * 1024 * 1024 });
  return parseAllDocuments(stdout)
    .map((d) => d.toJS() as Rendered)
    .filter(Boolean);
}

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

const manifests = readManifests().filter(
  (m) => m.object.kind !== 'Kustomization' && !m.file.endsWith('kustomizeconfig.yaml')
);
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

  it.each(manifests.map((m) => [`${m.file}: ${m.object.kind}/${m.object.metadata?.name}`, m] as const))(
    'validates %s',
    (_n, m) => {
      // Prepare
      const Model = MODELS[`${m.object.apiVersion}/${m.object.kind}`];
      // Assess
      expect(Model, `no schema for ${m.object.apiVersion} ${m.object.kind}`).toBeDefined();
      expect(() => new Model!(m.object).validate()).not.toThrow();
    }
  );

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
      if (dls !== undefined)
        expect(services.has(dls) || dls === 'sse-relay' || dls === 'healing-coordinator', file).toBe(true);
    }
  });
});

describe('Contract: knative/ deploys as an operator runs it', () => {
  const byKind = (kind: string): typeof manifests => manifests.filter((m) => m.object.kind === kind);
  const services = byKind('Service');

  it('makes only the browser-facing functions public and lets Prometheus scrape every function', () => {
    for (const { file, object } of services) {
      const visibility = object.metadata.labels['networking.knative.dev/visibility'];
      expect(visibility, file).toBe(['chat', 'sse-relay'].includes(object.metadata.name) ? undefined : 'cluster-local');
      expect(object.spec.template.metadata.annotations, file).toMatchObject({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': '8080',
        'prometheus.io/path': '/metrics'
      });
    }
  });

  it('bounds every Service: concurrency, timeout, requests and limits, min-scale at most max-scale', () => {
    for (const { file, object } of services) {
      const tpl = object.spec.template;
      const [c] = tpl.spec.containers;
      expect(typeof tpl.spec.containerConcurrency, file).toBe('number');
      expect(tpl.spec.timeoutSeconds, file).toBeGreaterThan(0);
      expect(tpl.spec.timeoutSeconds, file).toBeLessThanOrEqual(600);
      expect(c.resources.requests, file).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
      const { 'autoscaling.knative.dev/min-scale': min, 'autoscaling.knative.dev/max-scale': max } =
        tpl.metadata.annotations;
      expect(Number(min), file).toBeLessThanOrEqual(Number(max));
    }
  });

  it("gives every Trigger a full delivery spec (retry, backoff, timeout) and, except the relay's, a dead-letter sink", () => {
    for (const { file, object } of byKind('Trigger')) {
      const d = object.spec.delivery;
      expect(d, file).toMatchObject({
        retry: expect.any(Number),
        backoffPolicy: 'exponential',
        backoffDelay: expect.stringMatching(/^PT/),
        timeout: expect.stringMatching(/^PT/)
      });
      if (object.spec.subscriber.ref.name !== 'sse-relay') expect(d.deadLetterSink?.ref?.kind, file).toBe('Service');
    }
  });

  it('wires the sources: the SinkBinding selects every Service, the PingSource ticks into the Broker and a Trigger takes it to the coordinator', () => {
    // Prepare
    const [binding] = byKind('SinkBinding');
    const [ping] = byKind('PingSource');
    const selector = binding!.object.spec.subject.selector.matchLabels as Record<string, string>;
    // Assess
    for (const { file, object } of services)
      for (const [k, v] of Object.entries(selector)) expect(object.metadata.labels[k], file).toBe(v);
    expect(ping!.object.spec.sink.ref).toMatchObject({ kind: 'Broker', name: 'default' });
    const tick = byKind('Trigger').find((t) => t.object.spec.filter.attributes.type === 'dev.knative.sources.ping');
    expect(tick?.object.spec.subscriber.ref.name).toBe('healing-coordinator');
  });

  it('mounts no API token into functions that do not use the Kubernetes API', () => {
    // Prepare
    const needs = new Set(defs.filter((d) => d.kube?.length).map((d) => d.name));
    // Assess
    for (const { file, object } of byKind('ServiceAccount')) {
      expect(object.automountServiceAccountToken, file).toBe(needs.has(object.metadata.name) ? undefined : false);
    }
  });

  it('mounts each Secret only where it is used: the Claude key in the chat alone, no credential in a check', () => {
    // Prepare
    const mounted = new Map(
      byKind('Service')
        .filter((s) => s.object.apiVersion === 'serving.knative.dev/v1')
        .map((s) => [
          s.object.metadata.name as string,
          (s.object.spec.template.spec.containers[0].envFrom as Array<{ secretRef?: { name: string } }>)
            .flatMap((e) => (e.secretRef ? [e.secretRef.name] : []))
            .sort()
        ])
    );
    const secrets = byKind('Secret').map((s) => [s.object.metadata.name, Object.keys(s.object.stringData).sort()]);
    // Assess
    expect(secrets).toEqual([
      ['cortex-secrets', ['CORTEX_OPERATOR_TOKEN', 'CORTEX_SESSION_SECRET']],
      ['cortex-anthropic', ['ANTHROPIC_API_KEY']]
    ]);
    expect([...mounted].filter(([, names]) => names.includes('cortex-anthropic')).map(([fn]) => fn)).toEqual(['chat']);
    expect(mounted.get('sse-relay')).toEqual(['cortex-secrets']);
    for (const [fn, names] of mounted)
      if (/^(check|remediate)-/.test(fn) || fn === 'error-intake') expect(names, fn).toEqual([]);
  });

  it("renders offline with Debian's kubectl 1.20 (`kubectl kustomize knative/`): every object, the image set on all Services", async () => {
    // Act
    const rendered = await kustomize('knative');
    // Assess
    const names = (list: Array<{ kind: string; metadata: { name: string } }>): string[] =>
      list.map((o) => `${o.kind}/${o.metadata.name}`).sort();
    expect(names(rendered)).toEqual(
      names(manifests.filter((m) => !m.file.startsWith('targets/')).map((m) => m.object as Rendered))
    );
    const images = rendered
      .filter((o) => o.kind === 'Service')
      .map((o) => (o as unknown as KnativeService).spec.template.spec.containers[0]!.image);
    expect(images).toHaveLength(defs.length);
    expect(new Set(images)).toEqual(new Set(['ghcr.io/cortex-dev/cortex:0.1.0']));
  });

  it("renders each target namespace's RoleBindings offline", async () => {
    // Act
    const rendered = await kustomize('knative/targets/demo');
    // Assess
    expect(rendered.length).toBe(defs.filter((d) => d.kube?.length).length);
    expect(new Set(rendered.map((o) => `${o.kind} ${o.metadata.namespace}`))).toEqual(new Set(['RoleBinding demo']));
  });
});
