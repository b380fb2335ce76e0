import { posix } from 'node:path';
import { KEY_SECRETS, keysOf, serviceNames, type AnyFunctionDef, type KubeNeed } from '../../shared/runtime/define-function.js';
import { RELAY_INGEST } from '../../functions/sse-relay/role.js';
import { SERVICE_ACCOUNT_NAMESPACE_FILE } from '../../shared/runtime/pod-namespace.js';
import { serviceAudience } from '../../shared/trust/identity.js';

/** The Secret of the shared state's URL and password (knative/redis/ fills it; so can a managed Redis). */
export const REDIS_SECRET = 'cortex-redis';

/*
 * The Kubernetes and Knative objects of the deployment, built from the function definitions. Pure: the same
 * definitions give the same objects. render.ts turns them into the files under knative/.
 */

export type K8sObject = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
};

export const NAMESPACE = 'cortex';
export const BROKER = 'default';
export const IMAGE = 'cortex';
export const COORDINATOR = 'healing-coordinator';
export const RELAY = 'sse-relay';
const PART_OF = { 'app.kubernetes.io/part-of': 'cortex' };

/** The Trigger name of one subscription: the function's name when it has one, else function + type. */
export function triggerName(def: AnyFunctionDef, type: string): string {
  if (def.on.length === 1) return def.name;
  const short = type.replace(/^dev\.(cortex|knative)\./, '').replace(/[._]/g, '-');
  return `${def.name}-${short}`.slice(0, 63).replace(/-+$/, '');
}

/** A Knative Service as a Destination, with the audience its function verifies delivery tokens for (Eventing OIDC). */
const ksvcRef = (name: string) => ({
  ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name },
  audience: serviceAudience(NAMESPACE, name)
});

/** The Service a function's deliveries go to: its own, or the cluster-local ingest of a split function (the relay's). */
export const ingestOf = (def: AnyFunctionDef): string => def.knative?.split?.ingest ?? def.name;

/** Where a function's failed deliveries go: checks and remediations to the coordinator (it counts them as
 * inconclusive or failed), everything else to the relay's ingest, so operators see every dead letter. The relay has none. */
export function deadLetterSinkOf(def: AnyFunctionDef): string | undefined {
  if (def.name === RELAY) return undefined;
  if (def.name.startsWith('check-') || def.name.startsWith('remediate-')) return COORDINATOR;
  return RELAY_INGEST;
}

/** How long every Trigger keeps retrying through an outage of Redis, which every function answers 503 during (DESIGN §11). */
export const RIDE_OUT_SECONDS = 30;

/** The fewest retries whose exponential back-off from `delaySeconds` adds up to at least `seconds`. */
export function retriesToRideOut(delaySeconds: number, seconds: number): number {
  let retries = 0;
  for (let waited = 0; waited < seconds; retries++) waited += delaySeconds * 2 ** retries;
  return retries;
}

export function deliveryOf(def: AnyFunctionDef): Record<string, unknown> {
  const dls = deadLetterSinkOf(def);
  const delay = def.name === RELAY ? 0.2 : 0.5;
  const retry = Math.max(def.knative?.deliveryRetry ?? 0, retriesToRideOut(delay, RIDE_OUT_SECONDS));
  return {
    retry,
    backoffPolicy: 'exponential',
    backoffDelay: `PT${delay}S`,
    timeout: def.knative?.deliveryTimeout ?? 'PT30S',
    ...(dls ? { deadLetterSink: ksvcRef(dls) } : {})
  };
}

/**
 * The function's own SinkBinding: `K_SINK` (the Broker) and, with Eventing's authentication-oidc, an identity of its
 * own (the ServiceAccount `<name>-oidc-sources.knative.dev-sinkbinding`) whose token is mounted at /oidc/token. One
 * per function, so the EventPolicies can tell the coordinator from the chat.
 */
export function sinkBinding(def: AnyFunctionDef, name = def.name): K8sObject {
  return {
    apiVersion: 'sources.knative.dev/v1',
    kind: 'SinkBinding',
    metadata: { name, namespace: NAMESPACE, labels: { ...PART_OF, 'cortex.dev/function': def.name } },
    spec: {
      subject: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name },
      sink: { ref: { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', name: BROKER } }
    }
  };
}

export function triggers(def: AnyFunctionDef): K8sObject[] {
  return def.on.map((d: { type: string }) => ({
    apiVersion: 'eventing.knative.dev/v1',
    kind: 'Trigger',
    metadata: { name: triggerName(def, d.type), namespace: NAMESPACE, labels: { ...PART_OF, 'cortex.dev/function': def.name } },
    spec: {
      broker: BROKER,
      // Routing is by type alone: it works on every broker class and keeps every event replayable with kn.
      filter: { attributes: { type: d.type } },
      delivery: deliveryOf(def),
      subscriber: ksvcRef(ingestOf(def))
    }
  }));
}

/** Functions browsers reach (the chat's POST /chat, the relay's page and streams); every other one is cluster-local. */
export const PUBLIC = new Set(['chat', RELAY, 'approvals']);

/**
 * What every Knative Service runs: the build's image entry (dist/functions/main.js, as the Procfile's `web` process),
 * with `node` directly (not npm, not TypeScript), through the launcher of the buildpacks image func.yaml builds: it sets
 * the environment the buildpacks prepared (Node.js on PATH) and, after `--`, execs the command as it is.
 */
export const ENTRY = 'dist/functions/main.js';
export const COMMAND = { command: ['/cnb/lifecycle/launcher'], args: ['--', 'node', ENTRY] };

/** The user of the image func.yaml builds: `cnb` of the Paketo jammy run image. Set explicitly, so that runAsNonRoot
 * is verifiable whatever USER an image names (the kubelet refuses a non-numeric one). */
export const RUN_AS = { runAsUser: 1002, runAsGroup: 1000 };

/* The runtime reads its namespace from the ServiceAccount's namespace file (shared/runtime/pod-namespace.ts). A function
 * without an API token has no such file, so it gets that one file through the downward API: no token, and unlike
 * env[].valueFrom.fieldRef no Serving feature flag (kubernetes.podspec-fieldref is off by default). */
const namespaceFile = {
  volumeMounts: [{ name: 'pod-namespace', mountPath: posix.dirname(SERVICE_ACCOUNT_NAMESPACE_FILE), readOnly: true }],
  volumes: [
    {
      name: 'pod-namespace',
      projected: {
        sources: [
          {
            downwardAPI: {
              items: [{ path: posix.basename(SERVICE_ACCOUNT_NAMESPACE_FILE), fieldRef: { fieldPath: 'metadata.namespace' } }]
            }
          },
          // The cluster CA (public), where an API token's pod has it: TLS to the OIDC issuer (docs/security.md).
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } }
        ]
      }
    }
  ]
};

/**
 * What one Service of a function mounts and runs: `ingest` is the cluster-local half of a split function (deliveries,
 * its verifying keys), `routes` its public half (its routes, its Secrets); both need Redis, which they share.
 */
function halfOf(def: AnyFunctionDef, half: 'whole' | 'ingest' | 'routes') {
  const k = def.knative ?? {};
  // The public half verifies nothing: it mounts only the keys it signs with.
  const keys = half === 'routes' ? keysOf({ trust: { sign: def.trust?.sign } }) : keysOf(def);
  const secrets = [...(half === 'ingest' ? [] : (k.secrets ?? [])), ...keys.map((key) => KEY_SECRETS[key])];
  const split = k.split;
  return {
    name: half === 'ingest' ? split!.ingest : def.name,
    env: { CORTEX_FUNCTION: def.name, ...(half === 'whole' ? {} : split!.env[half]) },
    secrets,
    // Shared state (knative/redis/ or a managed Redis): optional, so Cortex runs without it, except for the two halves.
    redis: half === 'whole' ? { name: REDIS_SECRET, optional: true } : { name: REDIS_SECRET },
    public: half !== 'ingest' && PUBLIC.has(def.name)
  };
}

/** The Knative Services of a function: one, or the public one and the cluster-local ingest of a split function. */
export function services(def: AnyFunctionDef): K8sObject[] {
  return def.knative?.split ? [service(def, 'routes'), service(def, 'ingest')] : [service(def)];
}

export function service(def: AnyFunctionDef, as: 'whole' | 'ingest' | 'routes' = 'whole'): K8sObject {
  const k = def.knative ?? {};
  const half = halfOf(def, as);
  const memory = k.memory ?? { request: '96Mi', limit: '256Mi' };
  // Broker deliveries come from inside the cluster: a function nobody else calls gets no public route.
  const visibility = half.public ? {} : { 'networking.knative.dev/visibility': 'cluster-local' };
  const ownNamespaceFile = def.kube?.length ? undefined : namespaceFile;
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name: half.name, namespace: NAMESPACE, labels: { ...PART_OF, 'cortex.dev/function': def.name, ...visibility } },
    spec: {
      template: {
        metadata: {
          labels: { ...PART_OF, 'cortex.dev/function': def.name },
          annotations: {
            'autoscaling.knative.dev/min-scale': String(k.minScale ?? 0),
            'autoscaling.knative.dev/max-scale': String(k.maxScale ?? 5),
            // GET /metrics on the function's own port (queue-proxy keeps its metrics on 9091).
            'prometheus.io/scrape': 'true',
            'prometheus.io/port': '8080',
            'prometheus.io/path': '/metrics'
          }
        },
        spec: {
          serviceAccountName: half.name,
          containerConcurrency: k.concurrency ?? 50,
          timeoutSeconds: k.timeoutSeconds ?? 60,
          containers: [
            {
              name: 'function',
              image: IMAGE,
              ...COMMAND,
              ports: [{ containerPort: 8080 }],
              env: Object.entries(half.env).map(([name, value]) => ({ name, value })),
              envFrom: [
                { configMapRef: { name: 'cortex-config' } },
                ...half.secrets.map((name) => ({ secretRef: { name } })),
                { secretRef: half.redis }
              ],
              readinessProbe: { httpGet: { path: '/health/readiness' }, periodSeconds: 5 },
              livenessProbe: { httpGet: { path: '/health/liveness' }, periodSeconds: 10 },
              resources: { requests: { cpu: '50m', memory: memory.request }, limits: { memory: memory.limit } },
              ...(ownNamespaceFile ? { volumeMounts: ownNamespaceFile.volumeMounts } : {}),
              securityContext: {
                runAsNonRoot: true,
                ...RUN_AS,
                allowPrivilegeEscalation: false,
                capabilities: { drop: ['ALL'] },
                seccompProfile: { type: 'RuntimeDefault' }
              }
            }
          ],
          ...(ownNamespaceFile ? { volumes: ownNamespaceFile.volumes } : {})
        }
      }
    }
  };
}

/** ServiceAccount, and for functions that read or change workloads a ClusterRole holding exactly their needs.
 * The ClusterRole is bound per target namespace (knative/targets/<ns>), never cluster-wide. */
export function rbac(def: AnyFunctionDef): K8sObject[] {
  const account = (name: string): K8sObject => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: NAMESPACE, labels: PART_OF } });
  const sa = account(def.name);
  if (def.knative?.split && def.kube?.length) throw new Error(`${def.name}: a split function is rendered without Kubernetes access`);
  // A function with no Kubernetes needs gets no API token in its pods at all.
  if (!def.kube?.length) return serviceNames(def).map((name) => ({ ...account(name), automountServiceAccountToken: false }));
  const role: K8sObject = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: `cortex-${def.name}`, labels: PART_OF },
    rules: def.kube.map((n: KubeNeed) => ({ apiGroups: [...n.apiGroups], resources: [...n.resources], verbs: [...n.verbs] }))
  };
  return [sa, role];
}

export function targetBindings(defs: readonly AnyFunctionDef[], namespace: string): K8sObject[] {
  return defs
    .filter((d) => d.kube?.length)
    .map((d) => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: `cortex-${d.name}`, namespace, labels: PART_OF },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `cortex-${d.name}` },
      subjects: [{ kind: 'ServiceAccount', name: d.name, namespace: NAMESPACE }]
    }));
}

