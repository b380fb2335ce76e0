import { describe, expect, it } from 'vitest';
import checkDependencies from '../../../../functions/check-dependencies/index.js';
import { referencesIn } from '../../../../functions/check-dependencies/references.js';
import type { Deployment, Service } from '../../../../shared/kube/port.js';
import { ForbiddenError } from '../../../../shared/runtime/errors.js';
import { createFakeKube, type FakeCluster } from '../../../fakes/kube.js';
import { deployment, endpoints, kubeEvent, pod, runCheckOn, service } from '../../../helpers/check-cluster.js';
import { DEPENDENCY_LOG, SESSION_STORE_LOG } from '../../../helpers/crash-logs.js';
import * as k8s from '../../../helpers/workloads.js';

/*
 * check-dependencies against the kube fake: mcp-demo crash-loops, and what its logs and messages name is resolved to
 * the Service behind it (postgres at 10.96.0.15:5432), whose endpoints say whether it is down.
 */

const CRASH = 'mcp-demo-7d4b9c8f6-dep1';
const withIp = (s: Service, clusterIP: string): Service => ({ ...s, spec: { ...s.spec, clusterIP } });
const postgresService = withIp(k8s.service({ name: 'postgres', namespace: 'demo' }), '10.96.0.15');
function postgres(o: { replicas?: number; optedIn?: boolean } = {}): Deployment {
  return k8s.deployment({
    name: 'postgres',
    namespace: 'demo',
    replicas: o.replicas ?? 0,
    labels: { app: 'postgres', ...(o.optedIn === false ? {} : k8s.OPTED_IN) },
    annotations: {
      'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ kind: 'Deployment', spec: { replicas: 1 } })
    }
  });
}

/** mcp-demo crash-looping with `log` in its previous run, next to postgres (down unless `ready` pods are given). */
function cluster(log: string, o: { postgres?: Deployment; postgresReady?: boolean } = {}): Partial<FakeCluster> {
  const crashing = pod('dep1', 'crashloop', { ip: '10.244.0.9' });
  const pg = k8s.pod({
    name: 'postgres-5f7c-abcde',
    app: 'postgres',
    hash: '5f7c',
    status: k8s.podStatus('ready', {
      name: 'postgres-5f7c-abcde',
      namespace: 'demo',
      ip: '10.244.0.50',
      image: 'postgres:16.4'
    })
  });
  return {
    deployments: [deployment(), o.postgres ?? postgres()],
    services: [withIp(service(), '10.96.0.12'), postgresService],
    pods: [crashing, ...(o.postgresReady ? [pg] : [])],
    endpoints: [endpoints([]), k8s.endpoints(o.postgresReady ? [pg] : [], [], 'postgres')],
    logs: { [`demo/${CRASH}/server`]: '', [`demo/${CRASH}/server#previous`]: log }
  };
}

describe('check-dependencies: what a line names', () => {
  it.each([
    ['Error: connect ECONNREFUSED 10.96.0.15:5432', 'refused', [{ kind: 'address', ip: '10.96.0.15', port: 5432 }]],
    [
      'ERROR failed to connect to postgres at postgres.demo.svc.cluster.local:5432',
      'needs',
      [{ kind: 'dns', service: 'postgres', namespace: 'demo', port: 5432 }]
    ],
    [
      'Error: getaddrinfo ENOTFOUND cache.other.svc.cluster.local',
      'dns',
      [{ kind: 'dns', service: 'cache', namespace: 'other' }]
    ],
    ['Error: getaddrinfo ENOTFOUND redis', 'dns', [{ kind: 'name', name: 'redis' }]],
    [
      'FATAL api cannot start without its database postgres, exiting with code 1',
      'needs',
      [{ kind: 'name', name: 'postgres' }]
    ],
    ['WARN  readiness check failed: upstream dependency timed out after 5000ms', 'timeout', [{ kind: 'unnamed' }]],
    [
      'Readiness probe failed: Get "http://10.244.0.9:3000/ready": dial tcp 10.244.0.9:3000: connect: connection refused',
      'refused',
      [{ kind: 'address', ip: '10.244.0.9', port: 3000 }]
    ]
  ] as const)('%s → %s %j', (line, failure, references) => {
    // Act
    const found = referencesIn(line);
    // Assess
    expect(found).toEqual({ failure, references });
  });

  it.each([
    'INFO  connecting to postgres at postgres.demo.svc.cluster.local:5432',
    'FATAL mcp-demo cannot start without its session store, exiting with code 1',
    "  address: '10.96.0.15',",
    'Error: connect ECONNREFUSED 999.1.1.1:80'
  ])('names nothing in %j', (line) => {
    // Act
    const found = referencesIn(line);
    // Assess
    expect(found?.references ?? []).toEqual([]);
  });
});

describe('Function: check-dependencies', () => {
  it('resolves a refused ClusterIP, a DNS name and a Service name to one dependency that is down, opted in', async () => {
    // Act
    const out = await runCheckOn(checkDependencies, 'dependencies', cluster(DEPENDENCY_LOG));
    // Assess
    expect(out.verdict).toBe('problem');
    expect(out.symptom).toBe('down:demo/postgres');
    expect(out.summary).toBe(
      'demo/mcp-demo cannot reach its dependency demo/postgres: Service demo/postgres has no ready endpoints (Deployment postgres, opted in)'
    );
    expect(out.dependencies).toEqual([
      {
        reference: 'postgres.demo.svc:5432',
        state: 'down',
        service: { namespace: 'demo', name: 'postgres' },
        readyEndpoints: 0,
        deployment: 'postgres',
        optedIn: true,
        evidence: [
          '2026-11-27T09:59:29.000Z ERROR failed to connect to postgres at postgres.demo.svc.cluster.local:5432',
          'Error: connect ECONNREFUSED 10.96.0.15:5432',
          '2026-11-27T09:59:29.000Z FATAL mcp-demo cannot start without its database postgres, exiting with code 1'
        ],
        commands: ['kubectl get endpoints -n demo postgres', 'kubectl scale deployment/postgres -n demo --replicas=1']
      }
    ]);
  });

  it('says how to opt a dependency in when it is not', async () => {
    // Act
    const out = await runCheckOn(
      checkDependencies,
      'dependencies',
      cluster(DEPENDENCY_LOG, { postgres: postgres({ optedIn: false }) })
    );
    // Assess
    expect(out.dependencies?.[0]).toMatchObject({ state: 'down', optedIn: false });
    expect(out.dependencies?.[0]?.commands).toEqual([
      'kubectl get endpoints -n demo postgres',
      'kubectl scale deployment/postgres -n demo --replicas=1',
      'kubectl label deployment -n demo postgres cortex.dev/self-heal=enabled --overwrite'
    ]);
    expect(out.summary).toContain('(Deployment postgres, not opted in)');
  });

  it('finds the dependency up once postgres has ready endpoints: it no longer explains the crash', async () => {
    // Act
    const out = await runCheckOn(
      checkDependencies,
      'dependencies',
      cluster(DEPENDENCY_LOG, { postgres: postgres({ replicas: 1 }), postgresReady: true })
    );
    // Assess
    expect(out.dependencies?.map((d) => [d.state, d.readyEndpoints])).toEqual([['up', 1]]);
    expect(out.verdict).toBe('healthy');
    expect(out.symptom).toBeUndefined();
  });

  it('calls an address no Service has an outside address, with a command to test it from the cluster', async () => {
    // Act
    const out = await runCheckOn(checkDependencies, 'dependencies', cluster(SESSION_STORE_LOG));
    // Assess
    expect(out).toMatchObject({ verdict: 'problem', symptom: 'external:10.10.4.7:6379' });
    expect(out.dependencies?.[0]?.commands).toEqual([
      'kubectl run -n demo cortex-net-check --rm -i --restart=Never --image=busybox:1.36 -- nc -zv -w 3 10.10.4.7 6379'
    ]);
  });

  it('is inconclusive when the pods blame an upstream without naming it (not-ready)', async () => {
    // Prepare
    const c = cluster('2026-11-27T09:59:29.000Z WARN  readiness check failed: upstream dependency timed out after 5000ms');
    c.events = [
      kubeEvent({
        reason: 'Unhealthy',
        kind: 'Pod',
        name: CRASH,
        message: 'Readiness probe failed: HTTP probe failed with statuscode: 503'
      })
    ];
    // Act
    const out = await runCheckOn(checkDependencies, 'dependencies', c);
    // Assess
    expect(out.verdict).toBe('inconclusive');
    expect(out.summary).toBe('demo/mcp-demo: the pods blame an upstream dependency without naming it');
    expect(out.dependencies?.[0]).toMatchObject({
      state: 'unnamed',
      evidence: ['2026-11-27T09:59:29.000Z WARN readiness check failed: upstream dependency timed out after 5000ms']
    });
  });

  it('reports a DNS name of a Service that does not exist as missing', async () => {
    // Act
    const out = await runCheckOn(
      checkDependencies,
      'dependencies',
      cluster('Error: getaddrinfo ENOTFOUND cache.demo.svc.cluster.local')
    );
    // Assess
    expect(out).toMatchObject({ verdict: 'problem', symptom: 'down:demo/cache' });
    expect(out.dependencies?.[0]).toMatchObject({ state: 'missing', service: { namespace: 'demo', name: 'cache' } });
  });

  it('does not blame the target itself: a probe of its own pod IP or Service is no dependency', async () => {
    // Prepare
    const c = cluster('Error: connect ECONNREFUSED 10.96.0.12:80');
    c.events = [
      kubeEvent({
        reason: 'Unhealthy',
        kind: 'Pod',
        name: CRASH,
        message:
          'Readiness probe failed: Get "http://10.244.0.9:3000/ready": dial tcp 10.244.0.9:3000: connect: connection refused'
      })
    ];
    // Act
    const out = await runCheckOn(checkDependencies, 'dependencies', c);
    // Assess
    expect(out.verdict).toBe('healthy');
    expect(out.dependencies).toEqual([]);
  });

  it('says the dependency could not be read when its namespace is not ours to read', async () => {
    // Prepare
    const kube = createFakeKube(cluster('Error: getaddrinfo EAI_AGAIN redis.cache.svc.cluster.local'));
    const read = kube.readService.bind(kube);
    kube.readService = async (ns, name) => {
      if (ns === 'cache') throw new ForbiddenError(`reading service ${ns}/${name} failed: 403`);
      return read(ns, name);
    };
    // Act
    const out = await runCheckOn(checkDependencies, 'dependencies', kube);
    // Assess
    expect(out.verdict).toBe('inconclusive');
    expect(out.dependencies?.[0]).toMatchObject({ state: 'unknown', service: { namespace: 'cache', name: 'redis' } });
  });

  it('reads nothing more when every pod is Ready: no dependency to blame', async () => {
    // Prepare
    const p = pod('ok1');
    const kube = createFakeKube({
      deployments: [deployment()],
      services: [service()],
      pods: [p],
      endpoints: [endpoints([p])]
    });
    // Act
    const out = await runCheckOn(checkDependencies, 'dependencies', kube);
    // Assess
    expect(out).toMatchObject({ verdict: 'healthy', summary: 'No unhealthy pods of demo/mcp-demo: no dependency to blame' });
  });
});
