import type { Scenario, Workload } from '../scenario.js';
import { faults, MCP_DEMO, MCP_TOOLS, LEGACY, mutatingBut, MUTATING, scale, single } from './build.js';

/*
 * How Cortex behaves around the faults: modes, guardrails, several faults, several workloads, reports that should
 * not start anything, and reports that keep coming.
 */

const KUBE_SYSTEM: Workload = { namespace: 'kube-system', name: 'dns-cache' };
const KNATIVE: Workload = { namespace: 'knative-serving', name: 'activator-sim' };

/** `n` rounds that each scale mcp-demo to zero again and report it. */
const flaps = (n: number) =>
  Array.from({ length: n }, () => ({
    setup: [scale(MCP_DEMO, 0)],
    reports: [{ workload: MCP_DEMO }],
    expect: [{ workload: MCP_DEMO, outcome: 'healed' as const, actions: ['scale_up' as const] }]
  }));

export const BEHAVIOUR_SCENARIOS: Scenario[] = [
  single(
    'dry-run/scale-zero',
    'dry-run mode, scaled to zero: the would-be scale-up reported, nothing written',
    MCP_DEMO,
    [scale(MCP_DEMO, 0)],
    {
      outcome: 'failed',
      actions: ['scale_up'],
      forbidden: mutatingBut('scale_up'),
      says: 'dry run',
      after: { replicas: 0 }
    },
    { stack: { remediationMode: 'dry-run' }, writes: { max: 0 }, dryRunWrites: { min: 1 } }
  ),
  single(
    'dry-run/crashloop-transient',
    'dry-run mode, a transient crash loop: the would-be pod restart reported, nothing written',
    MCP_DEMO,
    [faults(MCP_DEMO, 'crashloop-transient')],
    { outcome: 'failed', actions: ['restart_pods'], forbidden: mutatingBut('restart_pods'), says: 'dry run' },
    { stack: { remediationMode: 'dry-run' }, writes: { max: 0 }, dryRunWrites: { min: 1 } }
  ),
  single(
    'protected/kube-system',
    'an opted-in workload in kube-system scaled to zero: denied, the namespace is protected',
    KUBE_SYSTEM,
    [{ kind: 'create', workload: KUBE_SYSTEM, selfHeal: true }, scale(KUBE_SYSTEM, 0)],
    { outcome: 'denied', actions: ['scale_up'], says: 'protected', after: { replicas: 0 } },
    { writes: { max: 0 } }
  ),
  single(
    'protected/knative',
    'an opted-in workload in knative-serving crash-looping: denied, knative-* is protected',
    KNATIVE,
    [{ kind: 'create', workload: KNATIVE, selfHeal: true }, faults(KNATIVE, 'crashloop-transient')],
    { outcome: 'denied', actions: ['restart_pods'], says: 'protected' },
    { writes: { max: 0 } }
  ),
  single(
    'two-faults/scale-zero+oom',
    'scaled to zero and OOMKilled: no restart; the outcome names the OOM',
    MCP_DEMO,
    [faults(MCP_DEMO, 'oom'), scale(MCP_DEMO, 0)],
    {
      outcome: 'failed',
      actions: [],
      optional: ['scale_up', 'report_oom'],
      forbidden: mutatingBut('scale_up'),
      says: 'OOM',
      // The limit an OOM alone gets suggested, as a command, also when verification is what finds the OOM.
      steps: '^kubectl set resources deployment/mcp-demo -n demo -c server --limits=memory=256Mi$'
    }
  ),
  single(
    'two-faults/evicted+crashloop-transient',
    'evicted pods left behind and a transient crash loop in their replacement: restart and clean up',
    MCP_DEMO,
    [faults(MCP_DEMO, 'evicted'), faults(MCP_DEMO, 'evicted', 'crashloop-transient')],
    { outcome: 'healed', actions: ['restart_pods', 'cleanup_failed_pods'], forbidden: ['scale_up', 'rollout_restart'] }
  ),
  {
    name: 'two-workloads',
    title: 'two workloads failing at once: two healings, each with its own fix, no crosstalk',
    setup: [scale(MCP_DEMO, 0), faults(MCP_TOOLS, 'crashloop-transient')],
    rounds: [
      {
        reports: [{ workload: MCP_DEMO }, { workload: MCP_TOOLS }],
        expect: [
          { workload: MCP_DEMO, outcome: 'healed', actions: ['scale_up'], forbidden: mutatingBut('scale_up') },
          { workload: MCP_TOOLS, outcome: 'healed', actions: ['restart_pods'], forbidden: mutatingBut('restart_pods') }
        ]
      }
    ],
    timeLimitMs: 30_000
  },
  single(
    'false-alarm',
    'a report for a healthy workload: no action, "healthy now"',
    MCP_DEMO,
    [],
    { outcome: 'no_action', actions: [], forbidden: [...MUTATING], says: 'healthy now' },
    { writes: { max: 0 }, fast: true }
  ),
  {
    name: 'flapping',
    title: 'the fault comes back after every fix: three healings (the budget), then escalation to a human',
    setup: [],
    rounds: [
      ...flaps(3),
      {
        setup: [scale(MCP_DEMO, 0)],
        reports: [{ workload: MCP_DEMO }],
        expect: [
          {
            workload: MCP_DEMO,
            outcome: 'escalated',
            actions: [],
            forbidden: [...MUTATING],
            says: 'again and again.*resumes at'
          }
        ]
      }
    ],
    timeLimitMs: 60_000,
    fast: true
  },
  {
    name: 'late-report',
    title: 'a report of a failure that predates the end of the healing that fixed it: absorbed, nothing runs again',
    setup: [scale(MCP_DEMO, 0)],
    rounds: [
      { reports: [{ workload: MCP_DEMO }], expect: [{ workload: MCP_DEMO, outcome: 'healed', actions: ['scale_up'] }] },
      {
        reports: [{ workload: MCP_DEMO, occurred: 'before-last-end' }],
        expect: [{ workload: MCP_DEMO, outcome: 'absorbed', actions: [] }]
      }
    ],
    writes: { max: 1 },
    timeLimitMs: 30_000,
    fast: true
  },
  single(
    'unrelated-faults',
    'faults on workloads nobody reported (a crash loop, a scale to zero) are left alone while the reported one is healed',
    MCP_DEMO,
    [faults(MCP_TOOLS, 'crashloop'), scale(LEGACY, 0), faults(MCP_DEMO, 'crashloop-transient')],
    { outcome: 'healed', actions: ['restart_pods'], forbidden: mutatingBut('restart_pods') }
  ),
  {
    name: 'repeated-failed-fix',
    title: 'a persistent crash loop reported again after a restart did not fix it: not restarted a second time',
    setup: [faults(MCP_DEMO, 'crashloop')],
    rounds: [
      { reports: [{ workload: MCP_DEMO }], expect: [{ workload: MCP_DEMO, outcome: 'failed', actions: ['restart_pods'] }] },
      {
        reports: [{ workload: MCP_DEMO }],
        expect: [
          { workload: MCP_DEMO, outcome: 'failed', actions: [], forbidden: [...MUTATING], says: 'does not repeat it' }
        ]
      }
    ],
    timeLimitMs: 60_000
  },
  single(
    'capacity-restore',
    'a two-replica workload scaled to zero: scaled back to the two replicas it had',
    MCP_TOOLS,
    [scale(MCP_TOOLS, 0)],
    {
      outcome: 'healed',
      actions: ['scale_up'],
      forbidden: mutatingBut('scale_up'),
      after: { replicas: 2 },
      says: 'to 2 replicas \\(spec\\.replicas 2 in its kubectl\\.kubernetes\\.io/last-applied-configuration\\)'
    }
  ),
  {
    name: 'noise-then-outage',
    title: 'three false alarms, then a real outage: fixed, not escalated (noise does not spend the budget)',
    setup: [],
    rounds: [
      ...Array.from({ length: 3 }, () => ({
        reports: [{ workload: MCP_DEMO }],
        expect: [{ workload: MCP_DEMO, outcome: 'no_action' as const, actions: [] }]
      })),
      {
        setup: [scale(MCP_DEMO, 0)],
        reports: [{ workload: MCP_DEMO }],
        expect: [{ workload: MCP_DEMO, outcome: 'healed', actions: ['scale_up'] }]
      }
    ],
    timeLimitMs: 60_000
  },
  {
    name: 'noise-flood',
    title: 'false alarms past the transient limit (3 here): absorbed and told until the window ends, no more healings',
    stack: { transientLimit: 3 },
    setup: [],
    rounds: [
      ...Array.from({ length: 3 }, () => ({
        reports: [{ workload: MCP_DEMO }],
        expect: [{ workload: MCP_DEMO, outcome: 'no_action' as const, actions: [] }]
      })),
      ...Array.from({ length: 2 }, () => ({
        reports: [{ workload: MCP_DEMO }],
        expect: [{ workload: MCP_DEMO, outcome: 'absorbed' as const, actions: [], forbidden: [...MUTATING] }]
      }))
    ],
    writes: { max: 0 },
    timeLimitMs: 60_000
  },
  {
    name: 'crashloop-reported-five-times',
    title: 'a persistent crash loop reported five times: exactly one restart in total, then the failed fix is not repeated',
    setup: [faults(MCP_DEMO, 'crashloop')],
    rounds: [
      { reports: [{ workload: MCP_DEMO }], expect: [{ workload: MCP_DEMO, outcome: 'failed', actions: ['restart_pods'] }] },
      ...Array.from({ length: 4 }, () => ({
        reports: [{ workload: MCP_DEMO }],
        expect: [
          {
            workload: MCP_DEMO,
            outcome: 'failed' as const,
            actions: [],
            forbidden: [...MUTATING],
            says: 'restart_pods was tried at .* and did not heal it',
            rootCause: { object: '10.10.4.7:6379' }
          }
        ]
      }))
    ],
    writes: { max: 1 },
    timeLimitMs: 90_000
  }
];
