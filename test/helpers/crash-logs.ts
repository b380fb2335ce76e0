/*
 * The previous run's log of a crashing mcp-demo, as the simulator writes it: one that cannot reach postgres (a
 * dependency, `sim.cortex.dev/depends-on=postgres:5432`) and one that cannot reach a store outside the cluster.
 */

export const DEPENDENCY_LOG = [
  '2026-11-27T09:59:29.000Z ERROR failed to connect to postgres at postgres.demo.svc.cluster.local:5432',
  'Error: connect ECONNREFUSED 10.96.0.15:5432',
  '2026-11-27T09:59:29.000Z FATAL mcp-demo cannot start without its database postgres, exiting with code 1'
].join('\n');

export const SESSION_STORE_LOG = [
  '2026-11-27T09:59:29.000Z ERROR failed to connect to the session store at 10.10.4.7:6379',
  'Error: connect ECONNREFUSED 10.10.4.7:6379',
  '2026-11-27T09:59:29.000Z FATAL mcp-demo cannot start without its session store, exiting with code 1'
].join('\n');
