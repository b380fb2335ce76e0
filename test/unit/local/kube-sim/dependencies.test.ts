import { describe, expect, it } from 'vitest';
import {
  type DependencyState,
  dependencyRole,
  parseDependsOn,
  resolveDependency
} from '../../../../local/kube-sim/kubelet/dependencies.js';
import { type KubeObject, type Service } from '../../../../local/kube-sim/types.js';

const service = (name: string, spec: Partial<Service['spec']> = {}, namespace = 'demo'): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace, uid: `u-${name}`, resourceVersion: '1', creationTimestamp: '' },
  spec: { clusterIP: '10.96.0.15', ports: [{ port: 5432 }], selector: { app: name }, ...spec }
});
const endpoints = (name: string, ready: boolean, namespace = 'demo'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Endpoints',
  metadata: { name, namespace, uid: '', resourceVersion: '1', creationTimestamp: '' },
  subsets: [
    ready ? { addresses: [{ ip: '10.244.0.9' }], ports: [{ port: 5432 }] } : { notReadyAddresses: [{ ip: '10.244.0.9' }] }
  ]
});

describe('Kube simulator: sim.cortex.dev/depends-on', () => {
  it('parses services, ports and other namespaces, and reports what names no Service', () => {
    // Prepare
    const value = ' postgres:5432, data/redis ,postgres:5432,,Bad_Name,api:0,api:99999,a/b/c, cache:6379 ';

    // Act
    const { refs, invalid } = parseDependsOn(value, 'demo');

    // Assess
    expect(refs).toEqual([
      { namespace: 'demo', service: 'postgres', port: 5432 },
      { namespace: 'data', service: 'redis' },
      { namespace: 'demo', service: 'cache', port: 6379 }
    ]);
    expect(invalid).toEqual(['Bad_Name', 'api:0', 'api:99999', 'a/b/c']);
    expect(parseDependsOn(undefined, 'demo')).toEqual({ refs: [], invalid: [] });
  });

  it('a Service with ready endpoints is reachable; without them its ClusterIP refuses', () => {
    // Prepare
    const ref = { namespace: 'demo', service: 'postgres', port: 5432 };
    const svc = [service('postgres')];

    // Act
    const up = resolveDependency(ref, svc, [endpoints('postgres', true)]);
    const notReady = resolveDependency(ref, svc, [endpoints('postgres', false)]);
    const noEndpoints = resolveDependency(ref, svc, []);

    // Assess
    expect(up).toEqual({ ref, host: 'postgres.demo.svc.cluster.local', port: 5432, ip: '10.96.0.15' });
    expect(notReady).toEqual({ ...up, error: 'ECONNREFUSED' });
    expect(noEndpoints.error).toBe('ECONNREFUSED');
  });

  it('a missing Service does not resolve; a port it does not expose times out; no port means its first one', () => {
    // Prepare
    const svc = [service('postgres')];
    const eps = [endpoints('postgres', true)];

    // Act
    const missing = resolveDependency({ namespace: 'other', service: 'postgres', port: 5432 }, svc, eps);
    const wrongPort = resolveDependency({ namespace: 'demo', service: 'postgres', port: 5433 }, svc, eps);
    const defaultPort = resolveDependency({ namespace: 'demo', service: 'postgres' }, svc, eps);

    // Assess
    expect(missing).toEqual({
      ref: { namespace: 'other', service: 'postgres', port: 5432 },
      host: 'postgres.other.svc.cluster.local',
      port: 5432,
      error: 'ENOTFOUND'
    });
    expect(wrongPort).toMatchObject({ ip: '10.96.0.15', port: 5433, error: 'ETIMEDOUT' });
    expect(defaultPort).toMatchObject({ port: 5432, ip: '10.96.0.15' });
    expect(defaultPort.error).toBeUndefined();
  });

  it('a headless Service resolves only while it has ready endpoints; an ExternalName always does', () => {
    // Prepare
    const headless = [service('db', { clusterIP: 'None' })];
    const external = [service('ext', { type: 'ExternalName', clusterIP: undefined })];

    // Act
    const down = resolveDependency({ namespace: 'demo', service: 'db' }, headless, []);
    const up = resolveDependency({ namespace: 'demo', service: 'db' }, headless, [endpoints('db', true)]);
    const ext = resolveDependency({ namespace: 'demo', service: 'ext' }, external, []);

    // Assess
    expect(down).toMatchObject({ error: 'ENOTFOUND' });
    expect(down.ip).toBeUndefined();
    expect(up.error).toBeUndefined();
    expect(ext.error).toBeUndefined();
  });

  it('names what the dependency is to the app from its port or name', () => {
    // Prepare
    const state = (service: string, port?: number): DependencyState => ({
      ref: { namespace: 'demo', service },
      host: `${service}.demo.svc.cluster.local`,
      ...(port ? { port } : {})
    });

    // Act
    const roles = [
      state('postgres'),
      state('orders', 3306),
      state('redis'),
      state('sessions', 6379),
      state('auth', 8080)
    ].map(dependencyRole);

    // Assess
    expect(roles).toEqual(['database', 'database', 'cache', 'cache', 'upstream']);
  });
});
