import { NAMESPACE, REDIS_SECRET, type K8sObject } from './objects.js';

/*
 * knative/redis/: a single-node Redis for trying Cortex with shared state (DESIGN §11), applied beside knative/
 * (`kubectl apply -k knative/redis`): a StatefulSet with a PersistentVolumeClaim and the append-only file on, its
 * Service, a NetworkPolicy that admits only Cortex functions, and the `cortex-redis` Secret every function reads
 * CORTEX_REDIS_URL and CORTEX_REDIS_PASSWORD from. Production uses a managed Redis or Valkey instead (README).
 */

export const REDIS = 'cortex-redis';
/** Debian 12's redis-server is 7.0.15: the tests run against the same release. */
export const REDIS_IMAGE = 'redis:7.0.15';
const LABELS = { 'app.kubernetes.io/name': REDIS, 'app.kubernetes.io/part-of': 'cortex' };
const SELECTOR = { 'app.kubernetes.io/name': REDIS };

export const redisSecret: K8sObject = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: REDIS_SECRET, namespace: NAMESPACE, labels: LABELS },
  type: 'Opaque',
  stringData: {
    CORTEX_REDIS_URL: `redis://${REDIS}.${NAMESPACE}.svc.cluster.local:6379/0`,
    CORTEX_REDIS_PASSWORD: 'REPLACE-with-32-random-bytes-hex'
  }
};

export const REDIS_SECRET_COMMENT = [
  ' Read by every Cortex function (envFrom, optional) and by the Redis below. Replace the password before applying',
  ' (e.g. openssl rand -hex 32); every function refuses to start with the placeholder. For a managed Redis or Valkey',
  ' apply only this Secret, with its rediss:// URL (README "Shared state on Redis").'
].join('\n');

export const redisService: K8sObject = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: REDIS, namespace: NAMESPACE, labels: LABELS },
  spec: {
    clusterIP: 'None',
    selector: SELECTOR,
    ports: [{ name: 'redis', port: 6379, targetPort: 6379 }]
  }
};

export const redisStatefulSet: K8sObject = {
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: REDIS, namespace: NAMESPACE, labels: LABELS },
  spec: {
    serviceName: REDIS,
    replicas: 1,
    selector: { matchLabels: SELECTOR },
    template: {
      metadata: { labels: LABELS },
      spec: {
        automountServiceAccountToken: false,
        securityContext: { runAsNonRoot: true, runAsUser: 999, runAsGroup: 999, fsGroup: 999 },
        containers: [
          {
            name: 'redis',
            image: REDIS_IMAGE,
            args: [
              '--appendonly',
              'yes',
              '--save',
              '',
              '--dir',
              '/data',
              '--requirepass',
              '$(REDIS_PASSWORD)',
              '--maxmemory-policy',
              'noeviction'
            ],
            env: [{ name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: REDIS_SECRET, key: 'CORTEX_REDIS_PASSWORD' } } }],
            ports: [{ name: 'redis', containerPort: 6379 }],
            readinessProbe: { tcpSocket: { port: 6379 }, periodSeconds: 5 },
            livenessProbe: { tcpSocket: { port: 6379 }, periodSeconds: 10 },
            resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '512Mi' } },
            volumeMounts: [{ name: 'data', mountPath: '/data' }],
            securityContext: {
              allowPrivilegeEscalation: false,
              capabilities: { drop: ['ALL'] },
              seccompProfile: { type: 'RuntimeDefault' }
            }
          }
        ]
      }
    },
    volumeClaimTemplates: [
      {
        metadata: { name: 'data', labels: LABELS },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } }
      }
    ]
  }
};

export const REDIS_COMMENT = [
  ' One Redis node for trials: the append-only file on a PersistentVolumeClaim keeps healing state, budgets and',
  ' deduplication across restarts of Redis and of every function; no replica, no failover. `noeviction`: state is',
  ' never dropped to make room (a full Redis answers errors, which Cortex turns into 503s the broker retries).'
].join('\n');

/** Only pods of Cortex functions (every Knative Service's pods carry `cortex.dev/function`) reach Redis. */
export const redisNetworkPolicy: K8sObject = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: REDIS, namespace: NAMESPACE, labels: LABELS },
  spec: {
    podSelector: { matchLabels: SELECTOR },
    policyTypes: ['Ingress'],
    ingress: [
      {
        from: [{ podSelector: { matchExpressions: [{ key: 'cortex.dev/function', operator: 'Exists' }] } }],
        ports: [{ protocol: 'TCP', port: 6379 }]
      }
    ]
  }
};
