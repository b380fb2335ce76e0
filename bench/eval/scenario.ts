import type { Fault } from '../../local/kube-sim/index.js';
import type { Action } from '../../shared/events/schemas.js';

/*
 * What a scenario of `npm run eval` is: data only. The harness (run.ts) sets the cluster up, sends the reports, waits
 * for the outcomes and scores them (score.ts) against what the scenario expects. New kinds of scenarios (approvals,
 * rollback, dependencies) add outcome kinds, setup steps or expectation fields here, and the table grows.
 */

/**
 * How a report ended for one target:
 * - `healed`: healing.completed after at least one action;
 * - `no_action`: healing.completed without one ("transient: service healthy now");
 * - `failed`: healing.failed with manual steps (nothing could fix it, the fix did not verify, or a dry run);
 * - `denied`: healing.failed because the guardrails refused the remediation;
 * - `escalated`: healing.failed without a healing run (budget spent: a human must look);
 * - `absorbed`: no new run: the report predates the end of the last one, whose outcome its session is told.
 */
export const OUTCOMES = ['healed', 'no_action', 'failed', 'denied', 'escalated', 'absorbed'] as const;
export type OutcomeKind = (typeof OUTCOMES)[number];

/** A workload: a Deployment and the Service of the same name that selects its pods (as the demo seed has them). */
export interface Workload {
  namespace: string;
  name: string;
}

export type SetupStep =
  /** A new Deployment + Service pair (its namespace is created when missing); waits until its pods are Ready. */
  | { kind: 'create'; workload: Workload; replicas?: number; selfHeal: boolean }
  /** Scales through the scale subresource, as `kubectl scale` does; waits until the pod count matches. */
  | { kind: 'scale'; workload: Workload; replicas: number }
  /** Sets the fault annotation (several faults: comma-separated); `[]` clears it. Waits until the faults show. */
  | { kind: 'fault'; workload: Workload; faults: Fault[] }
  /** Sets or removes the opt-in label `cortex.dev/self-heal=enabled`, as `kubectl label` does. */
  | { kind: 'opt-in'; workload: Workload; enabled: boolean }
  /** Waits until the workload shows a state another step caused (e.g. crash-looping once its dependency is gone). */
  | { kind: 'until'; workload: Workload; shows: 'crashloop' }
  /** Sets (or, with null, removes) Deployment labels and annotations, as `kubectl label` / `kubectl annotate` do. */
  | {
      kind: 'meta';
      workload: Workload;
      labels?: Record<string, string | null>;
      annotations?: Record<string, string | null>;
    };

/** One error.reported, as the chat sends it after a failed MCP call. */
export interface Report {
  workload: Workload;
  /** `now` (default), or just before the last healing of this workload ended: a late report of a handled failure. */
  occurred?: 'now' | 'before-last-end';
}

/** What should happen to one workload in one round. */
export interface Expectation {
  workload: Workload;
  outcome: OutcomeKind;
  /** Remediations the coordinator must ask for (whatever the guardrails then answer). */
  actions: Action[];
  /** Remediations that are acceptable but not required: neither missed nor unnecessary. */
  optional?: Action[];
  /** Remediations that are wrong here; asking for one is an unnecessary action named as forbidden. */
  forbidden?: Action[];
  /** A pattern the outcome's text (summary or reason) must match, e.g. "healthy now". */
  says?: string;
  /** A pattern one of the outcome's manual steps must match (the command a human runs). */
  steps?: string;
  /** The workload afterwards. */
  after?: { replicas?: number };
  /**
   * The outcome's `rootCause.object` (a dependency `namespace/name`, an address), and for a dependency: what it is like
   * afterwards, and that the reported workload was not restarted before the dependency's healing ended.
   */
  rootCause?: { object: string; workload?: Workload; after?: { replicas?: number } };
}

export interface Round {
  /** What the harness does before the reports (after the previous round's outcomes). */
  setup?: SetupStep[];
  reports: Report[];
  /** One per reported workload. A healing of any workload not listed here is unexpected. */
  expect: Expectation[];
}

export interface Scenario {
  /** Stable id (the scorecard's key). */
  name: string;
  /** What it shows, in one line. */
  title: string;
  /** The stack's guardrails and healing settings, when not the defaults. */
  stack?: {
    remediationMode?: 'enforce' | 'dry-run';
    budget?: number;
    transientLimit?: number;
    /** How long an approval request waits for a human (CORTEX_APPROVAL_TTL_MS). */
    approvalTtlMs?: number;
  };
  /** The cluster before the first round: seeded demo (mcp-demo, mcp-tools opted in; legacy-api not) plus these steps. */
  setup: SetupStep[];
  rounds: Round[];
  /** Bounds on Kubernetes writes by Cortex (dry runs not counted), when the scenario cares. */
  writes?: { max?: number; min?: number };
  /** Dry-run writes Cortex must have sent (the would-be change, checked by the API server). */
  dryRunWrites?: { min: number };
  /** From the first report to the last outcome. */
  timeLimitMs: number;
  /** One scenario per outcome runs in `npm test`. */
  fast?: boolean;
  /** A miss explained by a known judgement weakness that another issue fixes: reported as known, not as a regression. */
  knownIssue?: string;
}
