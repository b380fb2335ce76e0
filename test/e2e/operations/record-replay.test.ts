import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../../local/stack/index.js';
import { execCli, spawnCli } from '../../helpers/cli.js';
import { kubectl } from '../../helpers/kubectl.js';
import { scrape, scrapeUntil } from '../../helpers/metrics.js';
import type { SseClient } from '../../helpers/sse.js';
import { cloudEvents, operatorStream, outcomeFor, startTestStack } from '../../helpers/stack.js';

/*
 * The operator's loop on two fresh local stacks: record a healing with `cortex tail --save` (a real process), replay
 * the recording with --new-ids into another stack and get the same outcome, and replay it with its ids kept into the
 * stack that recorded it: deduplicated, nothing runs again, and the tool says why.
 */

type Recorded = { type: string; id: string; source: string; specversion: string; data: Record<string, unknown> };
const REPORTED = 'dev.cortex.error.reported';
/** What the CLI sees of a stack: its state dir (for .cortex/local.json), and no environment defaults. */
const envOf = (stack: LocalStack): Record<string, string> => ({
  CORTEX_STATE_DIR: stack.config.local.stateDir,
  K_SINK: '',
  CORTEX_RELAY_URL: '',
  CORTEX_OPERATOR_TOKEN: ''
});

/** The fault the recording heals: the demo MCP server's Deployment scaled to zero, with kubectl as a user would. */
async function scaleToZero(stack: LocalStack): Promise<void> {
  const r = await kubectl(stack.state.kubeconfig, ['-n', 'demo', 'scale', 'deploy/mcp-demo', '--replicas=0']);
  if (r.code !== 0) throw new Error(`kubectl scale: ${r.stderr}`);
  await stack.sim.waitFor(() => stack.sim.list('Pod', 'demo', 'app=mcp-demo').length === 0, {
    timeoutMs: 30_000,
    message: 'mcp-demo scaled to zero'
  });
}

describe('e2e: record a healing with cortex tail, replay it with cortex replay', () => {
  let first: LocalStack;
  let second: LocalStack;
  let recording: string;
  let recorded: Recorded[];

  beforeAll(async () => {
    [first, second] = await Promise.all([startTestStack(), startTestStack()]);
    recording = path.join(mkdtempSync(path.join(os.tmpdir(), 'cortex-rec-')), 'healing.jsonl');
  });
  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
  });

  it('records a scale-to-zero healing, whole, from the operator stream', async () => {
    // Prepare
    await scaleToZero(first);
    const tail = spawnCli(['tail', '--save', recording], envOf(first));
    await tail.waitFor('stderr', (l) => l.startsWith('connected to'));
    // Act
    const sent = await execCli(
      ['send', 'error', '--target', 'demo/mcp-demo', '--message', 'connect ECONNREFUSED'],
      envOf(first)
    );
    await tail.waitFor('stdout', (l) => /healing\.(completed|failed)/.test(l));
    const code = await tail.stop('SIGINT');
    recorded = readFileSync(recording, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Recorded);
    // Assess
    expect(sent.code).toBe(0);
    expect(code).toBe(0);
    expect(tail.stdout.find((l) => l.includes('healing.completed'))).toMatch(
      /demo\/mcp-demo .*HEALED in \d+\.\d s actions=scale_up/
    );
    expect(recorded[0]).toMatchObject({
      specversion: '1.0',
      type: REPORTED,
      source: '/cortex/cli',
      data: { target: { namespace: 'demo', service: 'mcp-demo' } }
    });
    expect(recorded.find((e) => e.type === 'dev.cortex.healing.completed')).toMatchObject({
      data: { actions: ['scale_up'] }
    });
    expect(recorded.filter((e) => e.type === 'dev.cortex.diagnosis.completed')).toHaveLength(11);
    expect(tail.stdout).toHaveLength(recorded.length);
  });

  it('replays the recording with --new-ids into another fresh stack: the same healing, scale-up, completed', async () => {
    // Prepare
    await scaleToZero(second);
    const ops: SseClient = await operatorStream(second);
    try {
      // Act
      const run = await execCli(['replay', recording, '--new-ids'], envOf(second));
      const outcome = await outcomeFor(ops, 'mcp-demo');
      // Assess
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(
        `skipped ${recorded.length - 1} derived events (lines 2-${recorded.length}): each was caused by an earlier line, and the functions derive it again; --all sends them too`
      );
      expect(run.stdout.find((l) => l.startsWith('sent line 1: '))).toContain(`(recorded as ${recorded[0]!.id})`);
      expect(run.stdout.at(-1)).toBe('done: 1 of 1 event sent (line 1), 0 rejected, 0 not sent');
      expect(outcome).toMatchObject({
        type: 'dev.cortex.healing.completed',
        data: { actions: ['scale_up'], target: { namespace: 'demo', service: 'mcp-demo' } }
      });
      const replayed = cloudEvents(ops).find((e) => e.type === REPORTED)!;
      expect(replayed.id).not.toBe(recorded[0]!.id);
      expect(second.sim.list('Pod', 'demo', 'app=mcp-demo')).toHaveLength(1);
    } finally {
      ops.close();
    }
  });

  it('replays the recording with its ids kept into the stack that recorded it: deduplicated, nothing runs again, and says so', async () => {
    // Prepare
    const intake = first.functions.get('error-intake')!.url;
    const coordinator = first.functions.get('healing-coordinator')!.url;
    const before = await scrape(intake);
    const startedBefore = (await scrape(coordinator)).value('cortex_healings_started_total');
    const dupBefore = before.value('cortex_events_received_total', { type: REPORTED, outcome: 'duplicate' });
    // Act
    const run = await execCli(['replay', recording], envOf(first));
    const after = await scrapeUntil(
      intake,
      (m) => m.value('cortex_events_received_total', { type: REPORTED, outcome: 'duplicate' }) > dupBefore
    );
    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      "note: ids are kept. Consumers deduplicate on (source, id): an event this broker's functions already handled is answered 202 and nothing runs again. To run it again as a new event, replay with --new-ids."
    );
    expect(run.stdout).toContain(`sent line 1: ${REPORTED} id=${recorded[0]!.id}`);
    expect(after.value('cortex_events_received_total', { type: REPORTED, outcome: 'handled' })).toBe(
      before.value('cortex_events_received_total', { type: REPORTED, outcome: 'handled' })
    );
    expect(after.value('cortex_events_emitted_total', { type: 'dev.cortex.healing.requested' })).toBe(
      before.value('cortex_events_emitted_total', { type: 'dev.cortex.healing.requested' })
    );
    expect(after.value('cortex_redeliveries_total', { type: REPORTED })).toBe(
      before.value('cortex_redeliveries_total', { type: REPORTED }) + 1
    );
    expect((await scrape(coordinator)).value('cortex_healings_started_total')).toBe(startedBefore);
  });
});
