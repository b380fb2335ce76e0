import { Events } from '../../shared/events/catalog.js';
import { CHECKS, targetKey, type DependencyFinding, type Target } from '../../shared/events/schemas.js';
import { iso, progress } from './emit.js';
import type { Input } from './input.js';
import { fail, type Reaction, type Step } from './outcomes.js';
import { dependencyLine, rootCauseOf } from './rootcause.js';
import type { Env } from './saga.js';
import type { DependencyEnd, Healing, TargetState } from './state.js';

/*
 * Root cause across services (DESIGN §5): when a Service the target needs is down and opted in, its own healing runs
 * first, with its own single flight and budget, in its own target's state. The saga stays pure and per target: it
 * asks for the dependency's healing as a step the runner applies to the dependency's state, and hears how it ended
 * the same way. A chain is at most MAX_CHAIN deep and never visits a target twice; a lost step is covered by the
 * waiting healing's deadline.
 */

/** Healings in one chain: the target, its dependency, and the dependency's dependency. */
export const MAX_CHAIN = 3;

/** How long a healing waits for its dependency's: that healing's three phases, and one more diagnosis of its own. */
export const dependencyWaitMs = (env: Env): number =>
  env.healing.diagnoseTimeoutMs * 2 + env.healing.remediateTimeoutMs + env.healing.verifyTimeoutMs;

const keyOf = (f: DependencyFinding): string | undefined =>
  f.service ? targetKey({ namespace: f.service.namespace, service: f.service.name }) : undefined;

/** Why the dependency is not healed here, or undefined when its healing may be asked for. */
function notHealable(h: Healing, f: DependencyFinding): string | undefined {
  const key = keyOf(f);
  if (!key || f.state === 'missing') return `${f.reference} resolves to no Service, so there is nothing to heal there`;
  if (f.optedIn !== true)
    return `Cortex does not heal ${key}: ${f.deployment ? `Deployment ${f.deployment} is not opted in` : 'no Deployment of its own stands behind it'}`;
  const chain = [...(h.chain ?? []), targetKey(h.target)];
  if (chain.includes(key)) return `${key} is already part of this chain of healings (${chain.join(' → ')})`;
  if (chain.length >= MAX_CHAIN) return `a chain of healings is at most ${MAX_CHAIN} deep (${chain.join(' → ')} → ${key})`;
  if (h.dependency) return `its healing already ran once for this healing (${h.dependency.ended?.summary ?? 'no answer'})`;
  return undefined;
}

/** The manual steps for a dependency that is down: its commands, then how the target recovers. */
function dependencySteps(h: Healing, f: DependencyFinding): string[] {
  const pods = h.diagnosis['pod-status']?.recommendation?.params?.['pods'];
  const names = Array.isArray(pods) ? pods.filter((p): p is string => typeof p === 'string') : [];
  const skip = names.length ? ` To skip the wait: kubectl delete pod -n ${h.target.namespace} ${names.join(' ')}` : '';
  return [
    ...f.commands,
    `Once ${keyOf(f) ?? f.reference} has ready endpoints, ${h.target.namespace}/${h.target.service} recovers after its crash back-off; restarting it before then only makes it crash again.${skip}`
  ];
}

/**
 * A dependency the target needs is down: wait for its healing (asked for as a step), or, when Cortex may not heal it,
 * end with `dependency_down`, naming it, with the commands, and without touching the target.
 */
export function awaitDependency(state: TargetState, h: Healing, env: Env, down: readonly DependencyFinding[]): Reaction {
  const t = `${h.target.namespace}/${h.target.service}`;
  const healable = down.find((f) => notHealable(h, f) === undefined);
  if (!healable) {
    const f = down[0]!;
    return fail(state, h, env, {
      kind: 'failed',
      code: 'dependency_down',
      reason: `${t} is down because its dependency ${keyOf(f) ?? f.reference} is: ${dependencyLine(f)}. ${notHealable(h, f)}, and restarting ${t} would not help, so nothing was changed`,
      manualSteps: dependencySteps(h, f)
    });
  }
  const dependency: Target = { namespace: healable.service!.namespace, service: healable.service!.name };
  const next: Healing = {
    ...h,
    phase: 'dependency',
    deadline: iso(env.now, dependencyWaitMs(env)),
    dependency: { target: dependency, finding: healable, since: iso(env.now) }
  };
  const step: Step = {
    target: dependency,
    input: {
      kind: 'dependency-requested',
      key: `${h.id}#dependency>${targetKey(dependency)}`,
      parent: { healingId: h.id, target: h.target },
      chain: [...(h.chain ?? []), targetKey(h.target)],
      sessionIds: h.sessionIds,
      reason: `dependency of ${t}: ${dependencyLine(healable)}`,
      trace: h.trace
    }
  };
  return {
    state: { ...state, active: next },
    intents: [
      progress(
        next,
        'dependency',
        `${t} crashes because ${targetKey(dependency)} is down: healing it first, ${t} is not restarted meanwhile`,
        0,
        1,
        {
          dependency
        }
      )
    ],
    steps: [step]
  };
}

/** Tells a waiting healing at once how its request ended (refused, or a cycle). */
const endedAt = (input: Extract<Input, { kind: 'dependency-requested' }>, end: DependencyEnd): Step => ({
  target: input.parent.target,
  input: { kind: 'dependency-ended', key: `${input.key}#refused`, healingId: input.parent.healingId, end }
});

/**
 * In the dependency's own state: join its running healing, start one, or refuse (an escalation is on, or joining
 * would close a cycle). `start` is the saga's own start of a healing.
 */
export function dependencyRequested(
  state: TargetState,
  input: Extract<Input, { kind: 'dependency-requested' }>,
  env: Env,
  start: (extra: Pick<Healing, 'parents' | 'chain'>) => Reaction
): Reaction {
  const refuse = (status: DependencyEnd['status'], summary: string, manualSteps: string[] = []): Reaction => ({
    state,
    intents: [],
    steps: [
      endedAt(input, {
        healingId: env.healingId,
        target: state.target,
        status,
        summary,
        actions: [],
        manualSteps
      })
    ]
  });
  const a = state.active;
  if (a) {
    const parentKey = targetKey(input.parent.target);
    if ((a.chain ?? []).includes(parentKey) || (a.dependency && targetKey(a.dependency.target) === parentKey))
      return refuse('failed', `the healing of ${targetKey(state.target)} waits for ${parentKey} itself: a cycle`);
    const parents = [...(a.parents ?? []).filter((p) => p.healingId !== input.parent.healingId), input.parent];
    const fresh = input.sessionIds.filter((s) => !a.sessionIds.includes(s));
    return {
      state: {
        ...state,
        active: { ...a, parents, sessionIds: [...a.sessionIds, ...fresh], unannounced: [...a.unannounced, ...fresh] }
      },
      intents: []
    };
  }
  const last = state.history.at(-1);
  if (last?.status === 'escalated' && last.resumesAt && env.now < new Date(last.resumesAt))
    return refuse('escalated', last.summary, last.manualSteps);
  return start({ parents: [input.parent], chain: input.chain });
}

/**
 * In the waiting healing's state: the dependency's healing ended. Healed → diagnose the target again (it may need
 * a restart to skip its crash back-off, which is now allowed); not healed → `dependency_down`, with its steps.
 */
export function dependencyEnded(state: TargetState, h: Healing, end: DependencyEnd, env: Env): Reaction {
  const wait = h.dependency;
  if (h.phase !== 'dependency' || !wait || targetKey(wait.target) !== targetKey(end.target)) return { state, intents: [] };
  const t = `${h.target.namespace}/${h.target.service}`;
  const dep = targetKey(end.target);
  if (end.status !== 'completed') {
    const waited: Healing = { ...h, dependency: { ...wait, ended: end } };
    return fail(
      state,
      waited,
      env,
      {
        kind: 'failed',
        code: 'dependency_down',
        reason: `${t} is down because its dependency ${dep} is: ${dependencyLine(wait.finding)}; the healing of ${dep} (${end.healingId}) ended without a fix: ${end.summary}`,
        manualSteps: [...end.manualSteps, ...dependencySteps(h, wait.finding)]
      },
      rootCauseOf(waited)
    );
  }
  const next: Healing = {
    ...h,
    phase: 'diagnose',
    round: (h.round ?? 1) + 1,
    deadline: iso(env.now, env.healing.diagnoseTimeoutMs),
    diagnosis: {},
    requested: [],
    remediation: {},
    verification: {},
    dependency: { ...wait, ended: end }
  };
  return {
    state: { ...state, active: next },
    intents: [
      progress(
        next,
        'dependency',
        `${dep} is healthy again (healing ${end.healingId}: ${end.summary}); diagnosing ${t} again`,
        1,
        1
      ),
      Events.DiagnosisRequested.intent({
        healingId: h.id,
        target: h.target,
        phase: 'diagnose',
        checks: [...CHECKS],
        deadline: next.deadline,
        // The checks take each signed request once per healing, phase and attempt: this is the next round's.
        attempt: next.round
      })
    ]
  };
}

/** The waiting healing's deadline passed before its dependency's healing ended. */
export function dependencyTimedOut(state: TargetState, h: Healing, env: Env): Reaction {
  const wait = h.dependency!;
  const dep = targetKey(wait.target);
  return fail(state, h, env, {
    kind: 'failed',
    code: 'dependency_down',
    reason: `${h.target.namespace}/${h.target.service} is down because its dependency ${dep} is (${dependencyLine(wait.finding)}), and the healing of ${dep} did not end within ${Math.round(dependencyWaitMs(env) / 1000)} s`,
    manualSteps: dependencySteps(h, wait.finding)
  });
}
