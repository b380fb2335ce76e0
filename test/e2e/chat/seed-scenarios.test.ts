import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FUNCTION_NAMES } from '../../../functions/index.js';
import { eventDef } from '../../../shared/events/registry.js';
import { attributeProblems } from '../../../shared/events/attributes.js';
import type { LocalStack } from '../../../local/stack/index.js';
import { first, names, postChat } from '../../helpers/chat.js';
import { kubectl } from '../../helpers/kubectl.js';
import type { SseClient } from '../../helpers/sse.js';
import { cloudEvents, operatorStream, startTestStack } from '../../helpers/stack.js';

/*
 * The seed's five scenarios, end to end on the one-command stack over HTTP: the chat (with the Claude stand-in), the
 * demo MCP server behind its simulated Service, the broker, the healing functions and the relay.
 */

const ASK = 'Use the get_service_status tool to tell me how the demo service is doing';

describe('e2e: the chat heals its tool backend (seed scenarios)', () => {
  let stack: LocalStack;
  let ops: SseClient;
  const k = async (...args: string[]): Promise<string> => {
    const r = await kubectl(stack.state.kubeconfig, ['-n', 'demo', ...args]);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const ready = (): boolean => stack.demo.proxy.listening();

  beforeAll(async () => {
    stack = await startTestStack({ CORTEX_HEALING_BUDGET: '100', CORTEX_MCP_CALL_TIMEOUT_MS: '2000' });
    ops = await operatorStream(stack);
    // The chat lists the demo server's tools while it is healthy, as in normal operation before an outage.
    await stack.sim.waitFor(() => ready(), { timeoutMs: 30_000 });
    const warm = await postChat(stack.state.frontDoor, { message: ASK });
    expect(warm.events.find((e) => e.event === 'tool_result')?.data).toMatchObject({ isError: false });
  });
  afterAll(async () => {
    ops?.close();
    await stack?.stop();
  });
  beforeEach(async () => {
    stack.demo.proxy.setFault('none');
    stack.sim.setFault('demo', 'mcp-demo', 'none');
    await k('scale', 'deploy/mcp-demo', '--replicas=1');
    await k('delete', 'pods', '-l', 'app=mcp-demo', '--wait=false');
    await stack.sim.waitFor(() => ready(), { timeoutMs: 30_000, message: 'the demo Service has ready endpoints' });
  });

  it('scaled to zero → the tool fails, healing_start, progress, healing_complete, the retried result, and an answer using it', async () => {
    // Prepare
    await k('scale', 'deploy/mcp-demo', '--replicas=0');
    await stack.sim.waitFor(() => !ready(), { timeoutMs: 30_000 });
    // Act
    const reply = await postChat(stack.state.frontDoor, { message: ASK });
    // Assess
    const order = names(reply).filter((n) => n !== 'token' && n !== 'healing_progress');
    expect(order).toEqual([
      'session',
      'tool_call',
      'tool_result',
      'healing_start',
      'healing_complete',
      'tool_result',
      'done'
    ]);
    expect(names(reply)).toContain('healing_progress');
    const results = reply.events.filter((e) => e.event === 'tool_result').map((e) => e.data);
    expect(results[0]).toMatchObject({ isError: true });
    expect(results[1]).toMatchObject({ isError: false, retried: true });
    expect(String(results[1]!.content)).toContain('"status": "ok"');
    expect(first(reply, 'healing_complete')).toMatchObject({ service: 'mcp-demo', success: true });
    expect(String(first(reply, 'done').message)).toContain('"status": "ok"');
    expect(await k('get', 'deploy', 'mcp-demo', '-o', 'jsonpath={.status.readyReplicas}')).toBe('1');
  });

  it('crashloop → diagnosed and a restart attempted; the user is told the outcome', async () => {
    // Prepare
    await k('annotate', 'deploy/mcp-demo', 'sim.cortex.dev/fault=crashloop', '--overwrite');
    // The chat notices when the pod has been crash-looping for a while (the first crash alone restarts by itself).
    await stack.sim.waitFor(
      () =>
        !ready() &&
        (
          stack.sim.list('Pod', 'demo', 'app=mcp-demo') as Array<{
            status?: { containerStatuses?: Array<{ state?: { waiting?: { reason?: string } } }> };
          }>
        ).some((p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff'),
      { timeoutMs: 30_000 }
    );
    const after = cloudEvents(ops).length;
    // Act
    const reply = await postChat(stack.state.frontDoor, { message: ASK });
    // Assess
    expect(names(reply)).toContain('healing_start');
    const progress = reply.events.filter((e) => e.event === 'healing_progress').map((e) => String(e.data.message));
    expect(
      // Caught in its back-off (CrashLoopBackOff), at a crash (Error) or started again after one (restarting after Error):
      // both are the crash loop, depending on where in the cycle the check looks.
      progress.some((m) => m.startsWith('pod-status:') && /CrashLoopBackOff|Error/.test(m)),
      progress.join(' | ')
    ).toBe(true);
    const restart = cloudEvents(ops)
      .slice(after)
      .find((e) => e.type === 'dev.cortex.remediation.completed');
    expect(restart?.data).toMatchObject({ action: 'restart_pods', outcome: 'applied' });
    expect(first(reply, 'healing_failed')).toMatchObject({
      service: 'mcp-demo',
      message: expect.stringMatching(/still unhealthy/)
    });
    expect(names(reply).at(-1)).toBe('done');
  });

  it('every event the functions emitted is a valid CloudEvent whose data validates against the catalog', () => {
    // Prepare
    const events = cloudEvents(ops);
    // Assess
    expect(events.length).toBeGreaterThan(20);
    for (const e of events) {
      const { data, ...attrs } = e;
      expect(attributeProblems(attrs), e.id).toEqual([]);
      const def = eventDef(e.type);
      expect(def, e.type).toBeDefined();
      const parsed = def!.data.safeParse(data);
      expect(parsed.success, `${e.type} ${e.id}: ${parsed.error?.message}`).toBe(true);
    }
  });

  it('answers the health endpoints of every function and of the front door', async () => {
    // Act
    const urls = [
      ...Object.values(stack.state.functions).flatMap((u) => [`${u}/health/liveness`, `${u}/health/readiness`]),
      `${stack.state.frontDoor}/healthz`
    ];
    const statuses = await Promise.all(urls.map(async (u) => (await fetch(u)).status));
    // Assess
    // Every function, and the relay answering also as sse-relay-ingest (its Triggers' subscriber).
    expect(Object.keys(stack.state.functions)).toHaveLength(FUNCTION_NAMES.length + 1);
    expect(statuses.every((s) => s === 200)).toBe(true);
  });

  it('a timeout of the tool call triggers a healing; the call is retried once it completes', async () => {
    // Prepare: the Service answers nothing (a hung backend); the hang passes once the healing looks at it
    stack.demo.proxy.setFault('hang');
    // Act
    const reply = await postChat(
      stack.state.frontDoor,
      { message: ASK },
      {
        onEvent: (e) => {
          if (e.event === 'healing_start') stack.demo.proxy.setFault('none');
        }
      }
    );
    // Assess
    const report = cloudEvents(ops).filter(
      (e) => e.type === 'dev.cortex.error.reported' && e.data.category === 'mcp_timeout'
    );
    expect(report.length).toBeGreaterThan(0);
    expect(first(reply, 'healing_start')).toMatchObject({
      service: 'mcp-demo',
      issue: expect.stringContaining('mcp_timeout')
    });
    expect(first(reply, 'healing_complete')).toMatchObject({ success: true, message: expect.stringContaining('transient') });
    const results = reply.events.filter((e) => e.event === 'tool_result').map((e) => e.data);
    expect(results.at(-1)).toMatchObject({ isError: false, retried: true });
  });
});
