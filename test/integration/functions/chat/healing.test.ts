import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { first, names, postChat, type ChatEvent, type ChatReply } from '../../../helpers/chat.js';
import { DEMO_TARGET, startChatHarness, type ChatHarness } from './harness.js';

const healing = (healingId: string) => ({
  start: {
    service: 'mcp-demo',
    issue: 'mcp_unreachable',
    healingId,
    target: DEMO_TARGET,
    checks: ['pod-status', 'service-endpoints']
  },
  progress: {
    service: 'mcp-demo',
    message: 'pod-status: no ready pods',
    healingId,
    target: DEMO_TARGET,
    stage: 'diagnosis',
    done: 1,
    total: 2
  },
  complete: {
    service: 'mcp-demo',
    success: true,
    message: 'scaled mcp-demo to 1 replica',
    healingId,
    target: DEMO_TARGET,
    actions: ['scale_up'],
    durationMs: 4200
  },
  failed: {
    service: 'mcp-demo',
    message: 'image pull error: ghcr.io/acme/mcp-demo:9.9 does not exist',
    recommendation: 'Fix the image tag of deployment demo/mcp-demo\nkubectl -n demo rollout undo deployment/mcp-demo',
    healingId,
    target: DEMO_TARGET,
    findings: [],
    manualSteps: ['Fix the image tag of deployment demo/mcp-demo', 'kubectl -n demo rollout undo deployment/mcp-demo']
  }
});

const newSession = async (h: ChatHarness): Promise<{ sessionId: string; token: string }> =>
  (await (await fetch(`${h.chat.url}/chat/sessions`, { method: 'POST' })).json()) as { sessionId: string; token: string };

const toolResults = (reply: ChatReply): ChatEvent['data'][] =>
  reply.events.filter((e) => e.event === 'tool_result').map((e) => e.data);
const isFirstFailure = (e: ChatEvent): boolean => e.event === 'tool_result' && e.data.isError === true && !e.data.retried;

describe('Function: chat reports failing MCP servers and waits for their healing', () => {
  let h: ChatHarness;

  beforeAll(async () => {
    h = await startChatHarness({ env: { CORTEX_HEALING_WAIT_MS: '3000', CORTEX_MCP_CALL_TIMEOUT_MS: '1000' } });
    // The demo server's tools are listed once while it is up; they stay offered while it is down.
    await postChat(h.chat.url, { message: 'Use the get_service_status tool please.' });
  });
  afterAll(async () => {
    await h.stop();
  });

  it('server down: reports mcp_unreachable with the target, streams the healing, retries once and answers with the real result', async () => {
    // Prepare
    const session = await newSession(h);
    h.relay.push(session.sessionId, 'healing_failed', healing('h-old').failed); // history from before: must be ignored
    await h.demo.stop();
    const reportsBefore = h.sink.events.length;
    // Act
    const reply = await postChat(
      h.chat.url,
      { message: 'Use the get_service_status tool: is the service healthy?', ...session },
      {
        onEvent: async (e) => {
          if (!isFirstFailure(e)) return;
          const steps = healing('h-1');
          h.relay.push(session.sessionId, 'healing_start', steps.start);
          h.relay.push(session.sessionId, 'healing_progress', steps.progress);
          await h.restartDemo();
          h.relay.push(session.sessionId, 'healing_complete', steps.complete);
        }
      }
    );
    // Assess
    expect(names(reply).filter((n) => n !== 'token')).toEqual([
      'session',
      'tool_call',
      'tool_result',
      'healing_start',
      'healing_progress',
      'healing_complete',
      'tool_result',
      'done'
    ]);
    const [failed, retried] = toolResults(reply);
    expect(failed).toMatchObject({ name: 'get_service_status', server: 'demo', isError: true });
    expect(String(failed!.content)).toContain('reported for self-healing');
    expect(retried).toMatchObject({ id: failed!.id, isError: false, retried: true });
    expect(JSON.parse(String(retried!.content))).toMatchObject({ service: 'mcp-demo', status: 'ok' });
    expect(first(reply, 'healing_complete')).toMatchObject({ healingId: 'h-1', success: true });
    expect(String(first(reply, 'done').message)).toContain('"service": "mcp-demo"');
    const reports = h.sink.events.slice(reportsBefore);
    expect(reports.map((e) => e.type)).toEqual(['dev.cortex.error.reported']);
    expect(reports[0]!.data).toMatchObject({
      component: 'chat',
      category: 'mcp_unreachable',
      target: { ...DEMO_TARGET, url: h.demo.url },
      sessionId: session.sessionId
    });
    expect(String((reports[0]!.data as { errorCode?: string }).errorCode)).toMatch(
      /^(ECONNREFUSED|UND_ERR_SOCKET|ECONNRESET)$/
    );
  });

  it('a relay replica that goes away mid-wait: the stream resumes with Last-Event-ID and nothing is missed or repeated', async () => {
    // Prepare
    const session = await newSession(h);
    await h.demo.stop();
    const resumesBefore = h.relay.resumes.length;
    // Act: the relay's replica dies after the start; progress and the outcome arrive while the chat is away
    const reply = await postChat(
      h.chat.url,
      { message: 'Use the get_service_status tool: is the service healthy?', ...session },
      {
        onEvent: async (e) => {
          if (!isFirstFailure(e)) return;
          const steps = healing('h-cut');
          h.relay.push(session.sessionId, 'healing_start', steps.start);
          await new Promise((r) => setTimeout(r, 100));
          h.relay.cut();
          h.relay.push(session.sessionId, 'healing_progress', steps.progress);
          await h.restartDemo();
          h.relay.push(session.sessionId, 'healing_complete', steps.complete);
        }
      }
    );
    // Assess
    expect(names(reply).filter((n) => n !== 'token')).toEqual([
      'session',
      'tool_call',
      'tool_result',
      'healing_start',
      'healing_progress',
      'healing_complete',
      'tool_result',
      'done'
    ]);
    expect(toolResults(reply)[1]).toMatchObject({ isError: false, retried: true });
    const resumes = h.relay.resumes.slice(resumesBefore);
    expect(resumes[0]).toBe('');
    expect(resumes.slice(1)).toContainEqual(expect.stringMatching(/^\d+-\d+$/));
  });

  it('healing_failed: Claude gets a tool error with the manual steps, the user sees healing_failed', async () => {
    // Prepare
    const session = await newSession(h);
    await h.demo.stop();
    // Act
    const reply = await postChat(
      h.chat.url,
      { message: 'Use the get_service_status tool: how is it?', ...session },
      {
        onEvent: (e) => void (isFirstFailure(e) && h.relay.push(session.sessionId, 'healing_failed', healing('h-2').failed))
      }
    );
    await h.restartDemo();
    // Assess
    expect(names(reply).filter((n) => n !== 'token')).toEqual([
      'session',
      'tool_call',
      'tool_result',
      'healing_failed',
      'done'
    ]);
    expect(first(reply, 'healing_failed')).toMatchObject({
      healingId: 'h-2',
      manualSteps: healing('h-2').failed.manualSteps
    });
    const sent = h.standin.requests().at(-1)!.body as { messages: { role: string; content: unknown }[] };
    const toolResult = (
      sent.messages.at(-1)!.content as { type: string; is_error?: boolean; content: { text: string }[] }[]
    )[0]!;
    expect(toolResult.is_error).toBe(true);
    expect(toolResult.content[0]!.text).toContain('could not: image pull error');
    expect(toolResult.content[0]!.text).toContain('- kubectl -n demo rollout undo deployment/mcp-demo');
    expect(String(first(reply, 'done').message)).toContain('failed');
  });

  it('a healing that does not finish in time: Claude is told so after the bounded wait', async () => {
    // Prepare
    const session = await newSession(h);
    await h.demo.stop();
    // Act
    const reply = await postChat(h.chat.url, { message: 'Use the get_service_status tool.', ...session });
    await h.restartDemo();
    // Assess
    expect(names(reply).filter((n) => n !== 'token')).toEqual(['session', 'tool_call', 'tool_result', 'done']);
    const sent = h.standin.requests().at(-1)!.body as { messages: { content: unknown }[] };
    const text = (sent.messages.at(-1)!.content as { content: { text: string }[] }[])[0]!.content[0]!.text;
    expect(text).toContain('did not finish in time (waited 3 s)');
  });

  it('MCP timeout: slow_query longer than the per-call timeout is reported as mcp_timeout', async () => {
    // Prepare
    const session = await newSession(h);
    const before = h.sink.events.length;
    // Act
    const reply = await postChat(
      h.chat.url,
      { message: 'Use the slow_query tool with seconds 5.', ...session },
      {
        onEvent: (e) => void (isFirstFailure(e) && h.relay.push(session.sessionId, 'healing_failed', healing('h-3').failed))
      }
    );
    // Assess
    expect(first(reply, 'tool_call')).toMatchObject({ name: 'slow_query', input: { seconds: 5 } });
    expect(String(first(reply, 'tool_result').content)).toContain('Request timed out');
    const [report] = h.sink.events.slice(before);
    expect(report?.data).toMatchObject({
      category: 'mcp_timeout',
      errorCode: '-32001',
      target: { ...DEMO_TARGET, url: h.demo.url },
      sessionId: session.sessionId
    });
    expect(names(reply).at(-1)).toBe('done');
  });
});
