import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadAll } from '../../functions/index.js';
import { serviceNames } from '../../shared/runtime/define-function.js';
import { renderManifests } from '../../scripts/knative/render.js';
import { kustomize, readManifests, type K8sObject } from '../helpers/manifests.js';

// Schemas and admission rules: test/contract/knative-conformance.test.ts.
// knative/ as `kubectl apply -k knative/` applies it; knative/oidc (applied on top, with OIDC) has its own tests.
const all = readManifests().filter(
  (m) => m.object.kind !== 'Kustomization' && !m.file.endsWith('kustomizeconfig.yaml') && !m.file.startsWith('oidc/')
);
// The functions' deployment; knative/redis/ (shared state for trials, applied beside it) is checked on its own below.
const manifests = all.filter((m) => !m.file.startsWith('redis/'));
const redisObjects = all.filter((m) => m.file.startsWith('redis/')).map((m) => m.object);
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

  it('points every Trigger at the default broker, with string filter values', () => {
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
      const fn = c.env.find((e: { name: string }) => e.name === 'CORTEX_FUNCTION')?.value;
      expect(fn, file).toBe(object.metadata.labels['cortex.dev/function']);
      expect(serviceNames(defs.find((d) => d.name === fn)!), file).toContain(object.metadata.name);
    }
  });

  it('resolves every Trigger subscriber and dead-letter sink to a Service in knative/', () => {
    const services = new Set(manifests.filter((m) => m.object.kind === 'Service').map((m) => m.object.metadata.name));
    for (const { file, object } of manifests.filter((m) => m.object.kind === 'Trigger')) {
      expect(services.has(object.spec.subscriber.ref.name), file).toBe(true);
      const dls = object.spec.delivery?.deadLetterSink?.ref?.name;
      if (dls !== undefined)
        expect(services.has(dls) || dls === 'sse-relay-ingest' || dls === 'healing-coordinator', file).toBe(true);
    }
  });
});

describe('Contract: knative/ deploys as an operator runs it', () => {
  const byKind = (kind: string): typeof manifests => manifests.filter((m) => m.object.kind === kind);
  const services = byKind('Service');

  it('makes only the browser-facing functions public and lets Prometheus scrape every function', () => {
    for (const { file, object } of services) {
      const visibility = object.metadata.labels['networking.knative.dev/visibility'];
      expect(visibility, file).toBe(
        ['chat', 'sse-relay', 'approvals'].includes(object.metadata.name) ? undefined : 'cluster-local'
      );
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
      if (object.spec.subscriber.ref.name !== 'sse-relay-ingest') expect(d.deadLetterSink?.ref?.kind, file).toBe('Service');
    }
  });

  it('wires the sources: one SinkBinding per Service (its own identity), the PingSource ticks into the Broker and a Trigger takes it to the coordinator', () => {
    // Prepare
    const bindings = byKind('SinkBinding').map((b) => b.object);
    const [ping] = byKind('PingSource');
    // Assess
    expect(bindings.map((b) => b.spec.subject.name).sort()).toEqual(services.map((s) => s.object.metadata.name).sort());
    for (const b of bindings) {
      expect(b.metadata.name).toBe(b.spec.subject.name);
      expect(b.spec.subject).toMatchObject({ apiVersion: 'serving.knative.dev/v1', kind: 'Service' });
      expect(b.spec.sink.ref).toMatchObject({ kind: 'Broker', name: 'default' });
    }
    expect(ping!.object.spec.sink.ref).toMatchObject({ kind: 'Broker', name: 'default' });
    const tick = byKind('Trigger').find((t) => t.object.spec.filter.attributes.type === 'dev.knative.sources.ping');
    expect(tick?.object.spec.subscriber.ref.name).toBe('healing-coordinator');
  });

  it('names on every Trigger the audience its subscriber and dead-letter sink verify delivery tokens for', () => {
    // Assess
    for (const { file, object } of byKind('Trigger')) {
      const { subscriber, delivery } = object.spec;
      expect(subscriber.audience, file).toBe(`serving.knative.dev/service/cortex/${subscriber.ref.name}`);
      const dls = delivery.deadLetterSink;
      if (dls) expect(dls.audience, file).toBe(`serving.knative.dev/service/cortex/${dls.ref.name}`);
    }
  });

  it('lets every function read its namespace from the ServiceAccount namespace file, with no env fieldRef', () => {
    // Prepare
    const accounts = new Map(byKind('ServiceAccount').map((m) => [m.object.metadata.name, m.object]));
    const dir = '/var/run/secrets/kubernetes.io/serviceaccount';
    // Assess
    for (const { file, object } of services) {
      const spec = object.spec.template.spec;
      const [c] = spec.containers;
      expect(
        c.env.filter((e: { valueFrom?: unknown }) => e.valueFrom),
        file
      ).toEqual([]);
      const tokenMounted = accounts.get(spec.serviceAccountName)?.automountServiceAccountToken !== false;
      const mount = c.volumeMounts?.find((m: { mountPath: string }) => m.mountPath === dir);
      expect(Boolean(mount), file).toBe(!tokenMounted);
      if (mount) {
        const volume = spec.volumes.find((v: { name: string }) => v.name === mount.name);
        expect(volume.projected.sources, file).toEqual([
          { downwardAPI: { items: [{ path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } }
        ]);
      }
    }
  });

  it('runs every container as the numeric non-root user of the image', () => {
    for (const { file, object } of services)
      expect(object.spec.template.spec.containers[0].securityContext, file).toMatchObject({
        runAsNonRoot: true,
        runAsUser: 1002,
        runAsGroup: 1000
      });
  });

  it('mounts no API token into functions that do not use the Kubernetes API', () => {
    // Prepare
    const needs = new Set(defs.filter((d) => d.kube?.length).map((d) => d.name));
    // Assess
    for (const { file, object } of byKind('ServiceAccount')) {
      expect(object.automountServiceAccountToken, file).toBe(needs.has(object.metadata.name) ? undefined : false);
    }
  });

  it('mounts each Secret only where it is used: the Claude key where Claude is called (the chat, explain-healing), each signing key where it signs or verifies', () => {
    // Prepare
    const mounted = new Map(
      byKind('Service')
        .filter((s) => s.object.apiVersion === 'serving.knative.dev/v1')
        .map((s) => [
          s.object.metadata.name as string,
          (s.object.spec.template.spec.containers[0].envFrom as Array<{ secretRef?: { name: string } }>)
            .flatMap((e) => (e.secretRef && e.secretRef.name !== 'cortex-redis' ? [e.secretRef.name] : []))
            .sort()
        ])
    );
    const secrets = byKind('Secret').map((s) => [s.object.metadata.name, Object.keys(s.object.stringData).sort()]);
    const holders = (secret: string): string[] =>
      [...mounted].filter(([, names]) => names.includes(secret)).map(([fn]) => fn);
    // Assess
    expect(secrets).toEqual([
      ['cortex-secrets', ['CORTEX_CHAT_TOKEN', 'CORTEX_OPERATOR_TOKEN', 'CORTEX_SESSION_SECRET']],
      ['cortex-anthropic', ['ANTHROPIC_API_KEY']],
      ['cortex-diagnosis-key', ['CORTEX_DIAGNOSIS_KEY']],
      ['cortex-remediation-key', ['CORTEX_REMEDIATION_KEY']],
      ['cortex-stream-key', ['CORTEX_STREAM_KEY']],
      ['cortex-approval-key', ['CORTEX_APPROVAL_KEY']]
    ]);
    // Only the coordinator and the approvals function hold the key that signs decisions (DESIGN §12).
    expect(holders('cortex-approval-key').sort()).toEqual(['approvals', 'healing-coordinator']);
    expect(holders('cortex-anthropic').sort()).toEqual(['chat', 'explain-healing']);
    // The relay's ingest verifies what reaches a stream; its public half verifies nothing and holds no key.
    expect(holders('cortex-stream-key').sort()).toEqual([
      'chat',
      'explain-healing',
      'healing-coordinator',
      'healing-history',
      'sse-relay-ingest'
    ]);
    expect(holders('cortex-remediation-key').sort()).toEqual(
      ['healing-coordinator', ...[...mounted.keys()].filter((fn) => fn.startsWith('remediate-'))].sort()
    );
    expect(holders('cortex-diagnosis-key').sort()).toEqual(
      ['healing-coordinator', ...[...mounted.keys()].filter((fn) => fn.startsWith('check-'))].sort()
    );
    expect(mounted.get('sse-relay')).toEqual(['cortex-secrets']);
    expect(mounted.get('sse-relay-ingest')).toEqual(['cortex-stream-key']);
    expect(mounted.get('error-intake')).toEqual([]);
    for (const [fn, names] of mounted) if (/^check-/.test(fn)) expect(names, fn).toEqual(['cortex-diagnosis-key']);
  });

  it("renders offline with Debian's kubectl 1.20 (`kubectl kustomize knative/`): every object, the image set on all Services", async () => {
    // Act
    const rendered = await kustomize('knative');
    // Assess
    const names = (list: K8sObject[]): string[] => list.map((o) => `${o.kind}/${o.metadata.name}`).sort();
    expect(names(rendered)).toEqual(names(manifests.filter((m) => !m.file.startsWith('targets/')).map((m) => m.object)));
    const images = rendered.filter((o) => o.kind === 'Service').map((o) => o.spec.template.spec.containers[0].image);
    expect(images).toHaveLength(defs.flatMap(serviceNames).length);
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

describe('Contract: knative/redis (shared state for trials)', () => {
  const services = manifests.filter((m) => m.object.kind === 'Service').map((m) => m.object);
  const of = (kind: string): K8sObject => redisObjects.find((o) => o.kind === kind)!;

  it("gives every function the cortex-redis Secret (optional, required by the relay's two Services), whose URL points at the Redis Service", () => {
    // Prepare
    const secret = of('Secret');
    const service = of('Service');
    const relay = new Set(['sse-relay', 'sse-relay-ingest']);
    // Assess
    for (const s of services)
      expect(s.spec.template.spec.containers[0].envFrom, s.metadata.name).toContainEqual({
        secretRef: relay.has(s.metadata.name) ? { name: 'cortex-redis' } : { name: 'cortex-redis', optional: true }
      });
    expect(services.filter((s) => relay.has(s.metadata.name))).toHaveLength(2);
    expect(secret.metadata.name).toBe('cortex-redis');
    expect(new URL(secret.stringData.CORTEX_REDIS_URL as string).hostname).toBe(
      `${service.metadata.name}.${service.metadata.namespace}.svc.cluster.local`
    );
    expect(secret.stringData.CORTEX_REDIS_PASSWORD).toMatch(/^REPLACE-/);
  });

  it('runs one Redis node with a volume claim, the append-only file on and the password from the Secret', () => {
    // Prepare
    const sts = of('StatefulSet');
    const [c] = sts.spec.template.spec.containers;
    // Assess
    expect(sts.spec.replicas).toBe(1);
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBeDefined();
    expect(c.volumeMounts).toContainEqual({ name: 'data', mountPath: '/data' });
    expect(c.args.join(' ')).toContain('--appendonly yes');
    expect(c.args.join(' ')).toContain('--requirepass $(REDIS_PASSWORD)');
    expect(c.env[0].valueFrom.secretKeyRef).toEqual({ name: 'cortex-redis', key: 'CORTEX_REDIS_PASSWORD' });
    expect(sts.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
  });

  it('admits only the pods of Cortex functions to Redis', () => {
    // Prepare
    const policy = of('NetworkPolicy');
    const fnLabels = services.map((s) => s.spec.template.metadata.labels as Record<string, string>);
    // Assess
    expect(policy.spec.podSelector.matchLabels).toEqual(of('StatefulSet').spec.selector.matchLabels);
    expect(policy.spec.policyTypes).toEqual(['Ingress']);
    expect(policy.spec.ingress).toEqual([
      {
        from: [{ podSelector: { matchExpressions: [{ key: 'cortex.dev/function', operator: 'Exists' }] } }],
        ports: [{ protocol: 'TCP', port: 6379 }]
      }
    ]);
    for (const labels of fnLabels) expect(labels['cortex.dev/function']).toBeDefined();
    expect(of('StatefulSet').spec.template.metadata.labels['cortex.dev/function']).toBeUndefined();
  });

  it("renders offline with Debian's kubectl 1.20 (`kubectl kustomize knative/redis`)", async () => {
    // Act
    const rendered = await kustomize('knative/redis');
    // Assess
    expect(rendered.map((o) => o.kind).sort()).toEqual(['NetworkPolicy', 'Secret', 'Service', 'StatefulSet']);
  });
});

describe('Contract: Triggers ride out a Redis outage', () => {
  it('retries every delivery for at least 30 s of back-off (DESIGN §11)', () => {
    for (const { file, object } of manifests.filter((m) => m.object.kind === 'Trigger')) {
      const { retry, backoffDelay } = object.spec.delivery as { retry: number; backoffDelay: string };
      const delay = Number(/^PT([\d.]+)S$/.exec(backoffDelay)![1]);
      const total = Array.from({ length: retry }, (_, i) => delay * 2 ** i).reduce((a, b) => a + b, 0);
      expect(total, file).toBeGreaterThanOrEqual(30);
    }
  });
});

describe("Contract: the relay's ingest is not public (docs/security.md)", () => {
  const byKind = (kind: string): K8sObject[] => manifests.filter((m) => m.object.kind === kind).map((m) => m.object);
  const ksvc = (name: string): K8sObject => byKind('Service').find((s) => s.metadata.name === name)!;
  const env = (s: K8sObject): Record<string, string> =>
    Object.fromEntries(
      s.spec.template.spec.containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value])
    );

  it('points no Trigger and no dead-letter sink at the public relay; the relay takes its events through sse-relay-ingest', () => {
    // Prepare
    const triggers = byKind('Trigger');
    const names = triggers.flatMap((t) => [t.spec.subscriber.ref.name, t.spec.delivery.deadLetterSink?.ref?.name]);
    // Assess
    expect(names).not.toContain('sse-relay');
    expect(triggers.filter((t) => t.metadata.labels['cortex.dev/function'] === 'sse-relay').length).toBeGreaterThan(10);
    for (const t of triggers.filter((x) => x.metadata.labels['cortex.dev/function'] === 'sse-relay'))
      expect(t.spec.subscriber, t.metadata.name).toMatchObject({
        ref: { kind: 'Service', name: 'sse-relay-ingest' },
        audience: 'serving.knative.dev/service/cortex/sse-relay-ingest'
      });
  });

  it('makes the ingest cluster-local and the stream server public, each running the relay in its role', () => {
    // Prepare
    const [ingest, stream] = [ksvc('sse-relay-ingest'), ksvc('sse-relay')];
    // Assess
    expect(ingest.metadata.labels['networking.knative.dev/visibility']).toBe('cluster-local');
    expect(stream.metadata.labels['networking.knative.dev/visibility']).toBeUndefined();
    expect(env(ingest)).toEqual({ CORTEX_FUNCTION: 'sse-relay', CORTEX_RELAY_ROLE: 'ingest' });
    expect(env(stream)).toEqual({ CORTEX_FUNCTION: 'sse-relay', CORTEX_RELAY_ROLE: 'stream' });
    expect(ingest.spec.template.spec.serviceAccountName).toBe('sse-relay-ingest');
  });

  it('requires Redis in both (their logs are shared), and points the chat at the public relay', () => {
    // Prepare
    const config = byKind('ConfigMap').find((c) => c.metadata.name === 'cortex-config')!;
    // Assess
    for (const s of [ksvc('sse-relay-ingest'), ksvc('sse-relay')])
      expect(s.spec.template.spec.containers[0].envFrom, s.metadata.name).toContainEqual({
        secretRef: { name: 'cortex-redis' }
      });
    expect(new URL(config.data.CORTEX_RELAY_URL).hostname).toBe('sse-relay.cortex.svc.cluster.local');
  });

  it('gives the ingest an identity of its own: ServiceAccount, SinkBinding and EventPolicy (it sends only crash reports)', () => {
    // Prepare
    const policies = readManifests()
      .filter((m) => m.file === 'oidc/eventpolicies.yaml')
      .map((m) => m.object);
    const policy = policies.find((p) => p.metadata.name === 'cortex-from-sse-relay-ingest');
    // Assess
    expect(byKind('ServiceAccount').find((a) => a.metadata.name === 'sse-relay-ingest')?.automountServiceAccountToken).toBe(
      false
    );
    expect(byKind('SinkBinding').find((b) => b.metadata.name === 'sse-relay-ingest')?.spec.subject.name).toBe(
      'sse-relay-ingest'
    );
    expect(policy?.spec.from).toEqual([
      { ref: { apiVersion: 'sources.knative.dev/v1', kind: 'SinkBinding', name: 'sse-relay-ingest', namespace: 'cortex' } }
    ]);
    expect(policy?.spec.filters).toEqual([{ any: [{ exact: { type: 'dev.cortex.error.reported' } }] }]);
  });
});
