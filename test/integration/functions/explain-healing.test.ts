import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import explainHealing from '../../../functions/explain-healing/index.js';
import { startClaudeStandin, type ClaudeStandin } from '../../../local/claude-standin/index.js';
import type { EventDef } from '../../../shared/events/define.js';
import type { CloudEventRecord } from '../../../shared/events/http.js';
import { createLogger } from '../../../shared/runtime/logging.js';
import { run, type RunningFunction } from '../../../shared/runtime/run.js';
import { postEvent } from '../../helpers/events.js';
import { cloudEvent, completed, Events, failed, started } from '../../helpers/healing.js';
import { asSent, TEST_KEY_ENV } from '../../helpers/signing.js';

/*
 * explain-healing over real HTTP, calling the Claude stand-in through @anthropic-ai/sdk: one call per healing with
 * max_tokens capped, the redacted brief in the request the stand-in recorded, and `model: "none"` when Claude fails or
 * the hour's budget is spent.
 */

const LOG = 'fatal: connect postgres://app:Sup3rS3cret@db:5432/app failed; DB_PASSWORD=hunter2hunter2';

describe('Function: explain-healing with the Claude stand-in', () => {
  let standin: ClaudeStandin;
  let fn: RunningFunction;
  const published: CloudEventRecord[] = [];
  const post = async (def: EventDef, data: unknown): Promise<void> => {
    const res = await postEvent(fn.url, cloudEvent(def, asSent(def, data)));
    if (res.status !== 202) throw new Error(`explain-healing answered ${res.status}: ${await res.text()}`);
  };
  const explanationOf = (healingId: string) =>
    published.find(
      (e) => e.type === Events.HealingExplained.type && (e.data as { healingId: string }).healingId === healingId
    )?.data as Record<string, unknown> | undefined;
  const requests = async (): Promise<Array<{ body: { max_tokens: number; messages: unknown[] } }>> =>
    ((await (await fetch(`${standin.url}/_standin/requests`)).json()) as { requests: never[] }).requests;

  beforeAll(async () => {
    standin = await startClaudeStandin({ log: createLogger({ name: 'standin', level: 'silent' }) });
    fn = await run(explainHealing, {
      overrides: {
        PORT: '0',
        HOST: '127.0.0.1',
        CORTEX_LOG_LEVEL: 'silent',
        ANTHROPIC_BASE_URL: standin.url,
        CORTEX_MODEL: 'claude-test-model',
        CORTEX_EXPLAIN_MAX_TOKENS: '123',
        CORTEX_EXPLAIN_HOURLY_BUDGET: '2',
        ...TEST_KEY_ENV
      },
      publish: async (e) => void published.push(e)
    });
  });
  afterAll(async () => {
    await fn?.stop();
    await standin?.stop();
  });

  it('asks Claude once, max_tokens capped, with a redacted brief, and publishes its explanation', async () => {
    // Act
    await post(Events.HealingStarted, started('h-1', []));
    await post(Events.DiagnosisCompleted, {
      healingId: 'h-1',
      check: 'pod-logs',
      phase: 'diagnose',
      verdict: 'problem',
      summary: 'the app cannot reach its database',
      evidence: [{ subject: 'pod mcp-demo-1 (previous)', detail: LOG }]
    });
    await post(Events.HealingFailed, failed('h-1', []));
    await post(Events.HealingFailed, failed('h-1', []));
    // Assess
    const sent = await requests();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body.max_tokens).toBe(123);
    const text = JSON.stringify(sent[0]!.body.messages);
    expect(text).toContain('the app cannot reach its database');
    expect(text).not.toContain('Sup3rS3cret');
    expect(text).not.toContain('hunter2hunter2');
    expect(explanationOf('h-1')).toMatchObject({
      model: 'claude-test-model',
      redactions: 2,
      outcome: 'failed',
      summary: expect.stringContaining('pod-logs: the app cannot reach its database'),
      nextStep: 'Fix the image reference of deployment/mcp-demo'
    });
  });

  it('writes from the findings alone when Claude fails (model "none")', async () => {
    // Arrange: both attempts of the call fail
    await fetch(`${standin.url}/_standin/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ faults: [{ kind: 'server_error' }, { kind: 'server_error' }] })
    });
    // Act
    await post(Events.HealingStarted, started('h-2', []));
    await post(Events.HealingCompleted, completed('h-2', []));
    // Assess
    expect(explanationOf('h-2')).toMatchObject({ model: 'none', outcome: 'healed' });
    expect(String(explanationOf('h-2')!.summary)).toMatch(/^demo\/mcp-demo healed in 4\.2 s\./);
  });

  it('stops asking Claude once the hourly budget is spent, and still explains', async () => {
    // Arrange: h-1 and h-2 used the budget of 2
    await fetch(`${standin.url}/_standin/requests`, { method: 'DELETE' });
    // Act
    await post(Events.HealingStarted, started('h-3', []));
    await post(Events.HealingCompleted, completed('h-3', []));
    // Assess
    expect(await requests()).toHaveLength(0);
    expect(explanationOf('h-3')).toMatchObject({ model: 'none' });
  });
});
