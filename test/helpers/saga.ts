import type { Intent } from '../../shared/events/define.js';
import { CHECKS, type Action, type CheckName, type DependencyFinding, type Target } from '../../shared/events/schemas.js';
import { loadConfig } from '../../shared/runtime/config.js';
import { react, type Env, type Input } from '../../functions/healing-coordinator/saga.js';
import type { Step } from '../../functions/healing-coordinator/outcomes.js';
import type { TargetState } from '../../functions/healing-coordinator/state.js';

/*
 * Inputs for the coordinator's pure saga, as the runner makes them from delivered events, and a driver that feeds
 * them in order: unit tests of the decider (Prepare / Act / Assess without any I/O).
 */

export const target: Target = { namespace: 'demo', service: 'mcp-demo' };
export const postgresTarget: Target = { namespace: 'demo', service: 'postgres' };
export const healing = loadConfig({}).healing;
export const T0 = new Date('2026-11-27T10:00:00.000Z');
let n = 0;
export const env = (now = T0, id = `h-${++n}`, over: Partial<Env['healing']> = {}): Env => ({
  now,
  healing: { ...healing, ...over },
  dryRun: false,
  healingId: id
});
export const at = (ms: number): Date => new Date(T0.getTime() + ms);
export const types = (intents: readonly Intent[]): string[] => intents.map((i) => i.type);
export const ofType = <D = Record<string, unknown>>(intents: readonly Intent[], type: string): D[] =>
  intents.filter((i) => i.type === `dev.cortex.${type}`).map((i) => i.data as D);

export const request = (
  key: string,
  sessions: string[] = ['s-1'],
  occurredAt = T0.toISOString(),
  t: Target = target
): Input => ({
  kind: 'requested',
  key,
  time: occurredAt,
  data: {
    target: t,
    category: 'mcp_unreachable',
    reportIds: [key],
    sessionIds: sessions,
    occurredAt,
    message: 'connect ECONNREFUSED'
  }
});

export interface DiagExtra {
  symptom?: string;
  summary?: string;
  commands?: string[];
  dependencies?: DependencyFinding[];
  params?: Record<string, unknown>;
  target?: Target;
}

export const diag = (
  healingId: string,
  check: CheckName,
  verdict: 'healthy' | 'problem' | 'inconclusive' = 'healthy',
  action?: Action,
  phase: 'diagnose' | 'verify' = 'diagnose',
  extra: DiagExtra = {}
): Input => ({
  kind: 'diagnosis',
  key: `${healingId}-${phase}-${check}-${verdict}-${extra.symptom ?? ''}-${Math.random().toString(36).slice(2, 6)}`,
  data: {
    healingId,
    check,
    phase,
    verdict,
    summary: extra.summary ?? `${check} ${verdict}`,
    evidence: [],
    ...(action ? { recommendation: { action, reason: `needs ${action}`, params: extra.params ?? {} } } : {}),
    ...(extra.symptom ? { symptom: extra.symptom } : {}),
    ...(extra.commands ? { commands: extra.commands } : {}),
    ...(extra.dependencies ? { dependencies: extra.dependencies } : {}),
    target: extra.target ?? target
  }
});

export const remediation = (
  healingId: string,
  action: Action,
  outcome: 'applied' | 'noop' | 'manual' | 'denied' | 'failed',
  failure?: 'not_found' | 'forbidden' | 'invalid_request',
  o: { summary?: string; target?: Target } = {}
): Input => ({
  kind: 'remediation',
  key: `${healingId}-rem-${action}-${outcome}`,
  data: {
    healingId,
    action,
    outcome,
    ...(failure ? { failure } : {}),
    summary: o.summary ?? `${action} ${outcome}`,
    changes: [],
    manualSteps: outcome === 'manual' ? [`do ${action} by hand`] : [],
    target: o.target ?? target
  }
});

/** Feeds inputs in order and collects every intent and cross-target step. */
export function run(
  inputs: Array<[Input, Env?]>,
  start?: TargetState
): { state: TargetState; intents: Intent[]; steps: Step[] } {
  let state = start;
  const intents: Intent[] = [];
  const steps: Step[] = [];
  for (const [input, e] of inputs) {
    const r = react(state, input, e ?? env());
    state = r.state;
    intents.push(...r.intents);
    steps.push(...(r.steps ?? []));
  }
  return { state: state!, intents, steps };
}

/** Every check's answer for one healing: healthy, unless `problems` names an action (or 'none') for it. */
export function diagnoseAll(
  healingId: string,
  problems: Partial<Record<CheckName, Action | 'none' | [Action | 'none', DiagExtra]>>,
  o: { phase?: 'diagnose'; target?: Target } = {}
): Array<[Input]> {
  return CHECKS.map((c) => {
    const p = problems[c];
    const [action, extra] = Array.isArray(p) ? p : [p, {}];
    const more = { ...extra, ...(o.target ? { target: o.target } : {}) };
    return [
      action
        ? diag(healingId, c, 'problem', action === 'none' ? undefined : action, 'diagnose', more)
        : diag(healingId, c, 'healthy', undefined, 'diagnose', more)
    ];
  });
}

/** Both verify checks' answers. */
export const verifyAll = (
  healingId: string,
  verdict: 'healthy' | 'problem' = 'healthy',
  t: Target = target
): Array<[Input]> =>
  (['pod-status', 'service-endpoints'] as const).map((c) => [
    diag(healingId, c, verdict, undefined, 'verify', { target: t })
  ]);
