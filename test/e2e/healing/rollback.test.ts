import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../../local/stack/index.js';
import { Events } from '../../../shared/events/catalog.js';
import { kubectl } from '../../helpers/kubectl.js';
import type { SseClient } from '../../helpers/sse.js';
import {
  cloudEvents,
  errorReport,
  operatorStream,
  outcomeFor,
  publish,
  startTestStack,
  type StreamedEvent
} from '../../helpers/stack.js';

/*
 * Automatic rollback end to end (DESIGN §12) on the one-command stack. mcp-tools (two replicas) is given stale
 * endpoints, a fault a rollout restart fixes, and a bad rollout waiting to happen (fault-on-new-template=crashloop:
 * pods of any new template crash-loop, as a broken image would). The restart makes it worse; Cortex sees it against
 * the record it made before acting, rolls back to the original template, and stops.
 */

type Pod = {
  metadata: { name: string; labels: Record<string, string>; deletionTimestamp?: string };
  status: { containerStatuses?: Array<{ ready: boolean }> };
};
type Deployment = { spec: { template: { metadata?: { annotations?: Record<string, string> } } } };

describe('e2e: a fix that made things worse is rolled back', () => {
  let stack: LocalStack;
  let ops: SseClient;
  let k: (...args: string[]) => Promise<string>;
  const pods = (): Pod[] =>
    (stack.sim.list('Pod', 'demo', 'app=mcp-tools') as unknown as Pod[]).filter((p) => !p.metadata.deletionTimestamp);
  const readyPods = (): number => pods().filter((p) => p.status.containerStatuses?.every((c) => c.ready)).length;
  const until = (what: string, ok: () => boolean, timeoutMs = 30_000): Promise<unknown> =>
    stack.sim.waitFor(ok, { timeoutMs, message: what });

  beforeAll(async () => {
    stack = await startTestStack();
    ops = await operatorStream(stack);
    k = async (...args) => {
      const r = await kubectl(stack.state.kubeconfig, ['-n', 'demo', ...args]);
      if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    await until('mcp-tools ready', () => readyPods() === 2);
  });
  afterAll(async () => {
    ops?.close();
    await stack?.stop();
  });

  it('endpoints-stale + fault-on-new-template=crashloop: restart makes it worse → rolled back to the original template, Ready back to 2, healing.failed rolledBack, one rollback, no second attempt', async () => {
    // Prepare
    const original = (stack.sim.get('Deployment', 'demo', 'mcp-tools') as unknown as Deployment).spec.template;
    await k('annotate', 'deploy/mcp-tools', 'sim.cortex.dev/fault-on-new-template=crashloop');
    await k('annotate', 'deploy/mcp-tools', 'sim.cortex.dev/fault=endpoints-stale', '--overwrite');
    const after = cloudEvents(ops).length;
    // Act
    expect(await publish(stack, errorReport({ namespace: 'demo', service: 'mcp-tools' }))).toBe(202);
    const outcome = await outcomeFor(ops, 'mcp-tools', after, 120_000);
    // Assess: the outcome
    const since = cloudEvents(ops).slice(after);
    expect(outcome.type, JSON.stringify(outcome.data)).toBe('dev.cortex.healing.failed');
    expect(outcome.data, String(outcome.data.reason)).toMatchObject({ reasonCode: 'rolled_back', rolledBack: true });
    expect(String(outcome.data.reason)).toMatch(/rollout_restart made demo\/mcp-tools worse/);
    expect(outcome.data.undone).toEqual([expect.objectContaining({ verb: 'patch', object: 'deployments/mcp-tools' })]);
    expect((outcome.data.manualSteps as string[]).join('\n')).toContain('kubectl rollout history deployment/mcp-tools');
    // One restart, one rollback, nothing after it
    const asked = (e: StreamedEvent): boolean =>
      e.type.startsWith('dev.cortex.remediation.') && e.type.endsWith('.requested');
    expect(since.filter(asked).map((e) => e.type)).toEqual([
      Events.RemediationRequested.rollout_restart.type,
      Events.RemediationRequested.rollback.type
    ]);
    const rollback = since.find((e) => e.type === Events.RemediationRequested.rollback.type)!;
    expect(rollback.data.params).toEqual({ undo: 'rollout_restart', revision: expect.stringMatching(/^\d+$/) });
    const restart = since.find((e) => e.type === Events.RemediationCompleted.type && e.data.action === 'rollout_restart')!;
    expect(restart.data.record).toMatchObject({ deployment: 'mcp-tools', replicas: 2, readyReplicas: 2 });
    // The Deployment is back on its original template, and its Ready count back to what it was
    const now = (stack.sim.get('Deployment', 'demo', 'mcp-tools') as unknown as Deployment).spec.template;
    expect(now.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt']).toBeUndefined();
    expect(now).toEqual(original);
    await until('two Ready pods of the original template', () => readyPods() === 2, 30_000);
  });
});
