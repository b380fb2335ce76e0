import { describe, expect, it } from 'vitest';
import type { DependencyFinding } from '../../../../shared/events/schemas.js';
import { dependencyWaitMs } from '../../../../functions/healing-coordinator/dependency.js';
import type { Step } from '../../../../functions/healing-coordinator/outcomes.js';
import { react, type Env, type Input } from '../../../../functions/healing-coordinator/saga.js';
import type { TargetState } from '../../../../functions/healing-coordinator/state.js';
import {
  at,
  diagnoseAll,
  env,
  ofType,
  postgresTarget,
  remediation,
  request,
  run,
  target,
  types,
  verifyAll
} from '../../../helpers/saga.js';

/*
 * Root cause across services in the pure saga: a crash explained by a dependency that is down opens the dependency's
 * own healing in its own target's state (a step the runner applies as a separate transaction); the target waits, is
 * never restarted meanwhile, and is diagnosed again once the dependency is healed.
 */

type Problems = Parameters<typeof diagnoseAll>[1];

const postgres = (o: Partial<DependencyFinding> = {}): DependencyFinding => ({
  reference: 'postgres.demo.svc:5432',
  state: 'down',
  service: { namespace: 'demo', name: 'postgres' },
  readyEndpoints: 0,
  deployment: 'postgres',
  optedIn: true,
  evidence: ['Error: connect ECONNREFUSED 10.96.0.15:5432'],
  commands: ['kubectl get endpoints -n demo postgres', 'kubectl scale deployment/postgres -n demo --replicas=1'],
  ...o
});

/** mcp-demo crash-looping; its logs blame postgres (down) unless `dependency` says otherwise. */
const crashing = (dependency: DependencyFinding | undefined = postgres()): Problems => ({
  'pod-status': ['restart_pods', { symptom: 'crashing', params: { pods: ['mcp-demo-7d4b9c8f6-a1'] } }],
  'service-endpoints': ['none', { symptom: 'no_ready_endpoints' }],
  'pod-logs': ['none', { symptom: 'connection_refused+crash' }],
  ...(dependency ? { dependencies: ['none', { symptom: `down:demo/postgres`, dependencies: [dependency] }] as const } : {})
});

/** The dependency's healing ended healthy, as its saga tells the waiting one. */
const postgresHealed = (key: string): Input => ({
  kind: 'dependency-ended',
  key,
  healingId: 'h-parent',
  end: {
    healingId: 'h-pg',
    target: postgresTarget,
    status: 'completed',
    summary: 'scaled',
    actions: ['scale_up'],
    manualSteps: []
  }
});

function parentDiagnosed(problems: Problems = crashing()) {
  return run([
    [request('r-1', ['s-1'], at(0).toISOString()), env(at(0), 'h-parent')],
    ...diagnoseAll('h-parent', problems).map(([i]) => [i, env(at(1000))] as [Input, Env])
  ]);
}

/** Applies one step to its target's state, as the runner does (its own transaction). */
function applyStep(states: Map<string, TargetState | undefined>, step: Step, e: Env) {
  const key = `${step.target.namespace}/${step.target.service}`;
  const r = react(states.get(key), step.input, e, step.target);
  states.set(key, r.state);
  return r;
}

/** The dependency's own healing, from its request to a verified scale-up. */
function healPostgres(state: TargetState, id: string, healthy = true) {
  return run(
    [
      ...diagnoseAll(
        id,
        { 'deployment-config': ['scale_up', { symptom: 'scaled_to_zero' }] },
        { target: postgresTarget }
      ).map(([i]) => [i, env(at(3000))] as [Input, Env]),
      [
        remediation(id, 'scale_up', 'applied', undefined, {
          target: postgresTarget,
          summary: 'scaled deployment demo/postgres from 0 to 1 replica'
        }),
        env(at(4000))
      ],
      ...verifyAll(id, healthy ? 'healthy' : 'problem', postgresTarget).map(([i]) => [i, env(at(5000))] as [Input, Env])
    ],
    state
  );
}

describe('Judgement: root cause across services (saga)', () => {
  it('asks for the healing of an opted-in dependency that is down, and does not restart the target', () => {
    // Act
    const parent = parentDiagnosed();
    // Assess
    expect(parent.intents.some((i) => i.type.startsWith('dev.cortex.remediation.'))).toBe(false);
    expect(parent.state.active).toMatchObject({ phase: 'dependency', dependency: { target: postgresTarget } });
    expect(ofType<{ stage: string }>(parent.intents, 'healing.progress').at(-1)).toMatchObject({
      stage: 'dependency',
      message:
        'demo/mcp-demo crashes because demo/postgres is down: healing it first, demo/mcp-demo is not restarted meanwhile'
    });
    expect(parent.steps).toEqual([
      {
        target: postgresTarget,
        input: expect.objectContaining({
          kind: 'dependency-requested',
          parent: { healingId: 'h-parent', target },
          chain: ['demo/mcp-demo'],
          sessionIds: ['s-1']
        })
      }
    ]);
  });

  it('heals the dependency first, then the target: one restart to skip its back-off, root cause named', () => {
    // Prepare
    const states = new Map<string, TargetState | undefined>();
    const parent = parentDiagnosed();
    states.set('demo/mcp-demo', parent.state);
    // Act: the dependency's healing, in its own state
    const opened = applyStep(states, parent.steps[0]!, env(at(2000), 'h-pg'));
    const healed = healPostgres(opened.state, 'h-pg');
    states.set('demo/postgres', healed.state);
    const resumed = applyStep(states, healed.steps[0]!, env(at(6000)));
    const second = run(
      [
        ...diagnoseAll('h-parent', crashing(postgres({ state: 'up', readyEndpoints: 1 }))).map(
          ([i]) => [i, env(at(7000))] as [Input, Env]
        ),
        [remediation('h-parent', 'restart_pods', 'applied'), env(at(8000))],
        ...verifyAll('h-parent').map(([i]) => [i, env(at(9000))] as [Input, Env])
      ],
      resumed.state
    );
    // Assess
    expect(ofType(opened.intents, 'healing.started')).toEqual([
      expect.objectContaining({ target: postgresTarget, parentHealingId: 'h-parent', sessionIds: ['s-1'] })
    ]);
    expect(healed.steps).toEqual([
      {
        target,
        input: expect.objectContaining({
          kind: 'dependency-ended',
          healingId: 'h-parent',
          end: expect.objectContaining({ status: 'completed', actions: ['scale_up'] })
        })
      }
    ]);
    expect(ofType<{ phase: string }>(resumed.intents, 'diagnosis.requested')).toEqual([
      expect.objectContaining({ phase: 'diagnose' })
    ]);
    const done = ofType<{ summary: string; actions: string[]; rootCause: unknown }>(second.intents, 'healing.completed')[0]!;
    expect(done.actions).toEqual(['restart_pods', 'scale_up (demo/postgres)']);
    expect(done.summary).toMatch(
      /^mcp-demo is healthy again: its dependency demo\/postgres was down and healing h-pg healed it \(.*\); then restart_pods applied; verified: /
    );
    expect(done.rootCause).toEqual({
      kind: 'dependency',
      object: 'demo/postgres',
      evidence: [
        'Service demo/postgres has no ready endpoints (Deployment postgres)',
        'Error: connect ECONNREFUSED 10.96.0.15:5432'
      ]
    });
  });

  it('completes without a restart when the target recovered by itself once its dependency was back', () => {
    // Prepare
    const parent = parentDiagnosed();
    const ended = postgresHealed('end-1');
    // Act
    const { intents, state } = run(
      [[ended, env(at(6000))], ...diagnoseAll('h-parent', {}).map(([i]) => [i, env(at(7000))] as [Input, Env])],
      parent.state
    );
    // Assess
    expect(intents.some((i) => i.type.startsWith('dev.cortex.remediation.'))).toBe(false);
    expect(ofType<{ summary: string; actions: string[] }>(intents, 'healing.completed')[0]).toMatchObject({
      actions: ['scale_up (demo/postgres)'],
      summary: expect.stringMatching(/no restart of mcp-demo was needed$/)
    });
    expect(state.history.at(-1)?.transient).toBe(false);
  });

  it('waits for the target (verify) when it is still starting once its dependency is back, instead of failing', () => {
    // Prepare
    const parent = parentDiagnosed();
    const ended = postgresHealed('end-2');
    // Act: deployment-config has not caught up yet (0/1 ready) while the pod itself is Ready
    const { intents } = run(
      [
        [ended, env(at(6000))],
        ...diagnoseAll('h-parent', { 'deployment-config': 'none' }).map(([i]) => [i, env(at(7000))] as [Input, Env]),
        ...verifyAll('h-parent').map(([i]) => [i, env(at(8000))] as [Input, Env])
      ],
      parent.state
    );
    // Assess
    expect(ofType(intents, 'healing.failed')).toEqual([]);
    expect(ofType<{ phase: string }>(intents, 'diagnosis.requested').map((d) => d.phase)).toEqual(['diagnose']);
    expect(ofType<{ phase: string }>(intents, 'verification.requested').map((d) => d.phase)).toEqual(['verify']);
    expect(ofType<{ actions: string[] }>(intents, 'healing.completed')[0]?.actions).toEqual(['scale_up (demo/postgres)']);
  });

  it('names a dependency that is not opted in as the root cause, with the command to fix it, and changes nothing', () => {
    // Act
    const { intents, steps } = parentDiagnosed(
      crashing(postgres({ optedIn: false, commands: ['kubectl scale deployment/postgres -n demo --replicas=1'] }))
    );
    // Assess
    expect(steps).toEqual([]);
    expect(intents.some((i) => i.type.startsWith('dev.cortex.remediation.'))).toBe(false);
    const failed = ofType<{ reasonCode: string; reason: string; manualSteps: string[]; rootCause: { object: string } }>(
      intents,
      'healing.failed'
    )[0]!;
    expect(failed.reasonCode).toBe('dependency_down');
    expect(failed.reason).toBe(
      'demo/mcp-demo is down because its dependency demo/postgres is: Service demo/postgres has no ready endpoints (Deployment postgres, not opted in). Cortex does not heal demo/postgres: Deployment postgres is not opted in, and restarting demo/mcp-demo would not help, so nothing was changed. Root cause: its dependency demo/postgres is down: Service demo/postgres has no ready endpoints (Deployment postgres, not opted in)'
    );
    expect(failed.manualSteps[0]).toBe('kubectl scale deployment/postgres -n demo --replicas=1');
    expect(failed.manualSteps[1]).toMatch(/To skip the wait: kubectl delete pod -n demo mcp-demo-7d4b9c8f6-a1$/);
    expect(failed.rootCause.object).toBe('demo/postgres');
  });

  it('fails with the dependency named when its healing is refused (escalated there)', () => {
    // Prepare
    const parent = parentDiagnosed();
    const escalated: TargetState = {
      target: postgresTarget,
      active: undefined,
      outbox: [],
      history: [
        {
          healingId: 'h-esc',
          startedAt: at(0).toISOString(),
          endedAt: at(0).toISOString(),
          status: 'escalated',
          reasonCode: 'escalated',
          summary: 'demo/postgres needs a fix again and again',
          manualSteps: ['kubectl describe deployment -n demo postgres'],
          resumesAt: at(900_000).toISOString()
        }
      ]
    };
    // Act
    const refused = react(escalated, parent.steps[0]!.input, env(at(2000), 'h-pg'), postgresTarget);
    const back = react(parent.state, refused.steps![0]!.input, env(at(2000)));
    // Assess
    expect(types(refused.intents)).toEqual([]);
    expect(
      ofType<{ reasonCode: string; reason: string; manualSteps: string[] }>(back.intents, 'healing.failed')[0]
    ).toMatchObject({
      reasonCode: 'dependency_down',
      reason: expect.stringContaining(
        'the healing of demo/postgres (h-pg) ended without a fix: demo/postgres needs a fix again and again'
      ),
      manualSteps: expect.arrayContaining(['kubectl describe deployment -n demo postgres'])
    });
  });

  it('joins the dependency healing already running for it, and is told when it ends', () => {
    // Prepare
    const running = run([[request('r-pg', ['s-pg'], at(0).toISOString(), postgresTarget), env(at(0), 'h-pg')]]);
    const parent = parentDiagnosed();
    // Act
    const joined = react(running.state, parent.steps[0]!.input, env(at(2000), 'h-other'), postgresTarget);
    const healed = healPostgres(joined.state, 'h-pg');
    // Assess
    expect(ofType(joined.intents, 'healing.started')).toEqual([]);
    expect(joined.state.active?.parents).toEqual([{ healingId: 'h-parent', target }]);
    expect(healed.steps.map((s) => s.input)).toEqual([
      expect.objectContaining({ kind: 'dependency-ended', healingId: 'h-parent' })
    ]);
  });

  it('keeps a chain at most three deep and never visits a target twice', () => {
    // Prepare
    const deep = parentDiagnosed().state;
    const third: TargetState = {
      ...deep,
      active: { ...deep.active!, phase: 'diagnose', dependency: undefined, chain: ['demo/a', 'demo/b'], diagnosis: {} }
    };
    const loop: TargetState = { ...deep, active: { ...third.active!, chain: ['demo/postgres'] } };
    const answers = diagnoseAll('h-parent', crashing()).map(([i]) => [i, env(at(1500))] as [Input, Env]);
    // Act
    const tooDeep = run(answers, third);
    const cycle = run(answers, loop);
    // Assess
    expect(ofType<{ reason: string }>(tooDeep.intents, 'healing.failed')[0]?.reason).toContain(
      'a chain of healings is at most 3 deep (demo/a → demo/b → demo/mcp-demo → demo/postgres)'
    );
    expect(ofType<{ reason: string }>(cycle.intents, 'healing.failed')[0]?.reason).toContain(
      'demo/postgres is already part of this chain of healings'
    );
    expect([...tooDeep.steps, ...cycle.steps]).toEqual([]);
  });

  it('gives up waiting at its deadline (a lost step), naming the dependency', () => {
    // Prepare
    const parent = parentDiagnosed();
    // Act
    const early = react(parent.state, { kind: 'tick', key: 't1' }, env(at(60_000)));
    const late = react(parent.state, { kind: 'tick', key: 't2' }, env(at(1000 + dependencyWaitMs(env()) + 1)));
    // Assess
    expect(early.intents).toEqual([]);
    expect(ofType<{ reasonCode: string; reason: string }>(late.intents, 'healing.failed')[0]).toMatchObject({
      reasonCode: 'dependency_down',
      reason: expect.stringMatching(/and the healing of demo\/postgres did not end within 210 s/)
    });
  });

  it('ignores a dependency-ended that is not for the healing waiting', () => {
    // Prepare
    const parent = parentDiagnosed();
    const stray: Input = {
      kind: 'dependency-ended',
      key: 'stray',
      healingId: 'h-other',
      end: { healingId: 'h-x', target: postgresTarget, status: 'completed', summary: '', actions: [], manualSteps: [] }
    };
    // Act
    const r = react(parent.state, stray, env(at(5000)));
    // Assess
    expect(r.intents).toEqual([]);
    expect(r.state.active?.phase).toBe('dependency');
  });
});
