import type { Fault } from '../../../local/kube-sim/index.js';
import type { Scenario, SetupStep, Workload } from '../scenario.js';
import { faults, LEGACY, MCP_DEMO, mutatingBut, MUTATING, scale, single, type Expect } from './build.js';

/*
 * Every simulator fault (and a scale to zero), once on an opted-in workload and once on one that is not opted in.
 * Opted in: the fix when one exists, else the report a human needs, and never an action that cannot help.
 * Not opted in: the same plan, refused by the guardrails (`denied`, manual steps), and not one write.
 */

interface FaultCase {
  fault: Fault | 'scale-zero';
  /** What the fault looks like to a user, for the title. */
  seen: string;
  /** Correct behaviour on an opted-in workload. */
  expect: Expect;
  fast?: boolean;
}

const CASES: FaultCase[] = [
  {
    fault: 'scale-zero',
    seen: 'scaled to zero',
    expect: { outcome: 'healed', actions: ['scale_up'], forbidden: mutatingBut('scale_up'), after: { replicas: 1 } },
    fast: true
  },
  {
    fault: 'crashloop',
    seen: 'a persistent crash loop: one restart, then a report, no loop',
    expect: { outcome: 'failed', actions: ['restart_pods'], forbidden: mutatingBut('restart_pods'), says: 'still unhealthy' }
  },
  {
    fault: 'crashloop-transient',
    seen: 'a transient crash loop',
    expect: { outcome: 'healed', actions: ['restart_pods'], forbidden: mutatingBut('restart_pods') }
  },
  {
    fault: 'oom',
    seen: 'OOMKilled',
    expect: { outcome: 'failed', actions: ['report_oom'], forbidden: [...MUTATING], says: 'memory|OOM' }
  },
  {
    fault: 'image-pull',
    seen: 'ImagePullBackOff',
    expect: { outcome: 'failed', actions: ['report_image_pull'], forbidden: [...MUTATING], says: 'image' },
    fast: true
  },
  {
    fault: 'not-ready',
    seen: 'running but never ready',
    expect: { outcome: 'failed', actions: [], forbidden: [...MUTATING] }
  },
  {
    fault: 'endpoints-stale',
    seen: 'ready pods missing from the endpoints',
    expect: { outcome: 'healed', actions: ['rollout_restart'], forbidden: mutatingBut('rollout_restart') }
  },
  {
    fault: 'evicted',
    seen: 'evicted pods left behind',
    expect: { outcome: 'healed', actions: ['cleanup_failed_pods'], forbidden: mutatingBut('cleanup_failed_pods') }
  },
  {
    fault: 'network-block',
    seen: 'a blocking NetworkPolicy: reported, nothing changed',
    expect: { outcome: 'failed', actions: [], forbidden: [...MUTATING], says: 'NetworkPolicy|network polic' }
  }
];

/** The fault annotation, or a scale to zero. */
const setup = (c: FaultCase, w: Workload): SetupStep[] => [c.fault === 'scale-zero' ? scale(w, 0) : faults(w, c.fault)];

const writesOnly = (e: Expect): Scenario['writes'] => (e.actions.some((a) => MUTATING.includes(a)) ? undefined : { max: 0 });

const optedIn = (c: FaultCase): Scenario =>
  single(`opted-in/${c.fault}`, `opted-in workload, ${c.seen}`, MCP_DEMO, setup(c, MCP_DEMO), c.expect, {
    ...(writesOnly(c.expect) ? { writes: writesOnly(c.expect) } : {}),
    ...(c.fast ? { fast: true } : {})
  });

/** The same fault on legacy-api: the plan is the same, the guardrails refuse it, and nothing is written. */
const notOptedIn = (c: FaultCase): Scenario => {
  const { after: _after, says, ...rest } = c.expect;
  const denied = rest.actions.length > 0;
  return single(
    `not-opted-in/${c.fault}`,
    `workload not opted in, ${c.seen.split(':')[0]}`,
    LEGACY,
    setup(c, LEGACY),
    {
      ...rest,
      outcome: denied ? 'denied' : rest.outcome,
      says: denied ? 'not opted in' : says,
      ...(c.fault === 'scale-zero' ? { after: { replicas: 0 } } : {})
    },
    { writes: { max: 0 }, ...(c.fault === 'scale-zero' ? { fast: true } : {}) }
  );
};

export const FAULT_SCENARIOS: Scenario[] = [...CASES.map(optedIn), ...CASES.map(notOptedIn)];
