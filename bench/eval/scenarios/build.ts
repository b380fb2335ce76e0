import type { Fault } from '../../../local/kube-sim/index.js';
import type { Action } from '../../../shared/events/schemas.js';
import type { Expectation, Scenario, SetupStep, Workload } from '../scenario.js';

/* Small builders that keep the scenario table readable. */

export const demo = (name: string): Workload => ({ namespace: 'demo', name });

/** Opted in, one replica. */
export const MCP_DEMO = demo('mcp-demo');
/** Opted in, two replicas. */
export const MCP_TOOLS = demo('mcp-tools');
/** Not opted in, one replica. */
export const LEGACY = demo('legacy-api');
/** Opted in, one replica: the database mcp-demo cannot start without (`sim.cortex.dev/depends-on=postgres:5432`). */
export const POSTGRES = demo('postgres');

/** The remediations that write to the cluster. */
export const MUTATING: readonly Action[] = ['restart_pods', 'scale_up', 'rollout_restart', 'cleanup_failed_pods'];

/** Every mutating remediation except the ones named. */
export const mutatingBut = (...allowed: Action[]): Action[] => MUTATING.filter((a) => !allowed.includes(a));

export const faults = (workload: Workload, ...list: Fault[]): SetupStep => ({ kind: 'fault', workload, faults: list });
export const scale = (workload: Workload, replicas: number): SetupStep => ({ kind: 'scale', workload, replicas });
export const optIn = (workload: Workload, enabled: boolean): SetupStep => ({ kind: 'opt-in', workload, enabled });
export const crashLooping = (workload: Workload): SetupStep => ({ kind: 'until', workload, shows: 'crashloop' });

export type Expect = Omit<Expectation, 'workload'>;

/** A scenario of one round: one report of one workload, one expected outcome. */
export function single(
  name: string,
  title: string,
  workload: Workload,
  setup: SetupStep[],
  expect: Expect,
  extra: Partial<Omit<Scenario, 'name' | 'title' | 'setup' | 'rounds'>> = {}
): Scenario {
  return {
    name,
    title,
    setup,
    rounds: [{ reports: [{ workload }], expect: [{ workload, ...expect }] }],
    timeLimitMs: 30_000,
    ...extra
  };
}
