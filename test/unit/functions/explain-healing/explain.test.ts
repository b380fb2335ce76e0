import { describe, expect, it } from 'vitest';
import { Events } from '../../../../shared/events/catalog.js';
import { foldHealing, type FoldableEvent } from '../../../../shared/history/record.js';
import { createLogger } from '../../../../shared/runtime/logging.js';
import { createMemoryStore } from '../../../../shared/runtime/store.js';
import { briefOf, type Brief } from '../../../../functions/explain-healing/brief.js';
import { parseExplanation } from '../../../../functions/explain-healing/claude.js';
import { onHealingEvent, type ExplainDeps } from '../../../../functions/explain-healing/explain.js';
import { explainFromFindings } from '../../../../functions/explain-healing/fallback.js';

const target = { namespace: 'demo', service: 'mcp-demo' };
const at = (s: number): string => new Date(Date.UTC(2026, 10, 27, 10, 0, s)).toISOString();
const SECRET_LOG = 'boot: DB_PASSWORD=hunter2hunter2 url=postgres://app:s3cr3tpw@db:5432/app mail ops@example.com';

const started: FoldableEvent = {
  type: Events.HealingStarted.type,
  time: at(0),
  data: { healingId: 'h-1', target, reason: 'mcp_unreachable: connection refused', checks: [], sessionIds: ['s-1'] }
};
const logs: FoldableEvent = {
  type: Events.DiagnosisCompleted.type,
  time: at(1),
  data: {
    healingId: 'h-1',
    check: 'pod-logs',
    phase: 'diagnose',
    verdict: 'problem',
    summary: 'the container crashes at start',
    evidence: [{ subject: 'pod mcp-demo-1 (previous)', detail: `last line: "${SECRET_LOG}"` }]
  }
};
const restarted: FoldableEvent = {
  type: Events.RemediationCompleted.type,
  time: at(2),
  data: {
    healingId: 'h-1',
    action: 'restart_pods',
    outcome: 'applied',
    summary: 'deleted 1 pod',
    changes: [],
    manualSteps: []
  }
};
const completed: FoldableEvent = {
  type: Events.HealingCompleted.type,
  time: at(4),
  data: {
    healingId: 'h-1',
    target,
    actions: ['restart_pods'],
    durationMs: 4000,
    summary: 'healthy again',
    sessionIds: ['s-1']
  }
};
const failed: FoldableEvent = {
  type: Events.HealingFailed.type,
  time: at(4),
  data: {
    healingId: 'h-1',
    target,
    reasonCode: 'verify_failed',
    reason: 'still crashing',
    findings: [],
    manualSteps: ['kubectl -n demo logs deploy/mcp-demo --previous']
  }
};

function deps(over: Partial<ExplainDeps> = {}): ExplainDeps & { briefs: Brief[] } {
  const briefs: Brief[] = [];
  return {
    store: createMemoryStore(),
    explain: async (brief) => {
      briefs.push(brief);
      return { summary: 'The app could not reach its database.', nextStep: 'Check the database.' };
    },
    model: 'claude-test',
    hourlyBudget: 10,
    now: () => Date.parse(at(5)),
    log: createLogger({ name: 'test', level: 'silent' }),
    briefs,
    ...over
  };
}

async function feed(d: ExplainDeps, events: FoldableEvent[]) {
  const out = [];
  for (const e of events) out.push(...(await onHealingEvent(d, e)));
  return out;
}

describe('explain-healing', () => {
  it('explains a healing once, on its outcome, with Claude, from a brief with no secret in it', async () => {
    // Arrange
    const d = deps();
    // Act
    const out = await feed(d, [started, logs, restarted, completed, completed]);
    // Assess
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({
      type: Events.HealingExplained.type,
      data: { healingId: 'h-1', target, model: 'claude-test', outcome: 'healed', sessionIds: ['s-1'] }
    });
    expect((out[0]!.data as { redactions: number }).redactions).toBe(3);
    const sent = JSON.stringify(d.briefs);
    for (const secret of ['hunter2hunter2', 's3cr3tpw', 'ops@example.com']) expect(sent).not.toContain(secret);
    expect(d.briefs[0]).toMatchObject({ target: 'demo/mcp-demo', outcome: 'healed', actions: [{ action: 'restart_pods' }] });
  });

  it('writes the explanation from the findings alone when Claude fails (model "none")', async () => {
    const d = deps({ explain: () => Promise.reject(new Error('529 overloaded')) });
    const [e] = await feed(d, [started, logs, failed]);
    expect(e!.data).toMatchObject({
      model: 'none',
      outcome: 'failed',
      nextStep: 'kubectl -n demo logs deploy/mcp-demo --previous'
    });
    expect((e!.data as { summary: string }).summary).toContain('pod-logs found: the container crashes at start');
  });

  it('stops calling Claude once the hourly budget is spent, and still explains', async () => {
    // Arrange
    const d = deps({ hourlyBudget: 1 });
    const second = (e: FoldableEvent): FoldableEvent => ({ ...e, data: { ...(e.data as object), healingId: 'h-2' } });
    // Act
    const first = await feed(d, [started, completed]);
    const next = await feed(d, [second(started), second(completed)]);
    // Assess
    expect(first[0]!.data).toMatchObject({ model: 'claude-test' });
    expect(next[0]!.data).toMatchObject({ model: 'none', healingId: 'h-2' });
    expect(d.briefs).toHaveLength(1);
  });

  it('opens a new budget in the next hour', async () => {
    let now = Date.parse(at(5));
    const d = deps({ hourlyBudget: 1, now: () => now });
    await feed(d, [started, completed]);
    now += 60 * 60_000;
    const [e] = await feed(d, [{ ...completed, data: { ...(completed.data as object), healingId: 'h-3' } }]);
    expect(e!.data).toMatchObject({ model: 'claude-test' });
  });
});

describe('the brief and the fallback', () => {
  it('counts the redactions of the evidence and of everything else', () => {
    const r = [started, logs, { ...failed, data: { ...(failed.data as object), reason: 'token=abcdef123' } }].reduce(
      (acc, e) => foldHealing(acc, e),
      undefined as ReturnType<typeof foldHealing> | undefined
    )!;
    const { brief, redactions } = briefOf(r);
    expect(redactions).toBe(4);
    expect(brief.summary).toBe('token=[REDACTED:key_value_secret]');
  });

  it('says how a healed healing ended and what to watch', () => {
    const r = [started, logs, restarted, completed].reduce(
      (acc, e) => foldHealing(acc, e),
      undefined as ReturnType<typeof foldHealing> | undefined
    )!;
    const e = explainFromFindings(briefOf(r).brief);
    expect(e.summary).toBe(
      'demo/mcp-demo healed in 4.0 s. pod-logs found: the container crashes at start Actions applied: restart_pods.'
    );
    expect(e.nextStep).toMatch(/^Watch demo\/mcp-demo/);
  });

  it('reads the two lines of an answer, and refuses one without a root cause', () => {
    expect(parseExplanation('Root cause: the pod was OOM killed.\nNext step: raise the memory limit.')).toEqual({
      summary: 'the pod was OOM killed.',
      nextStep: 'raise the memory limit.'
    });
    expect(parseExplanation('**Root cause:** x\n')).toEqual({ summary: 'x', nextStep: '' });
    expect(() => parseExplanation('I cannot tell.')).toThrow(/Root cause/);
  });
});
