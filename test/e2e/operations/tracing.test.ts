import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../../local/stack/index.js';
import { postChat } from '../../helpers/chat.js';
import { kubectl } from '../../helpers/kubectl.js';
import { startFakeCollector, type FakeCollector } from '../../helpers/otlp.js';
import type { SseClient } from '../../helpers/sse.js';
import { cloudEvents, operatorStream, outcomeFor, startTestStack, type StreamedEvent } from '../../helpers/stack.js';

/*
 * One healing is one trace. A user message to the chat (with a W3C traceparent from the caller) hits a scaled-down
 * MCP server; the chat's error.reported, and every event derived from it up to healing.completed, carry the same
 * trace id. Each event names the span of the function that emitted it, and that span's parent (read from the spans
 * the functions export to an OTLP collector) is the span named by the event that caused it.
 */

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const CALLER_SPAN = 'b7ad6b7169203331';
const parts = (e: StreamedEvent): { traceId: string; spanId: string } => {
  const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/.exec(String(e.traceparent));
  if (!m) throw new Error(`${e.type} ${e.id} has no valid traceparent: ${String(e.traceparent)}`);
  return { traceId: m[1]!, spanId: m[2]! };
};

describe('e2e: tracing one healing from the chat to healing.completed', () => {
  let collector: FakeCollector;
  let stack: LocalStack;
  let ops: SseClient;

  beforeAll(async () => {
    collector = await startFakeCollector();
    stack = await startTestStack({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, CORTEX_MCP_CALL_TIMEOUT_MS: '2000' });
    ops = await operatorStream(stack);
  });
  afterAll(async () => {
    ops?.close();
    await stack?.stop();
    await collector?.close();
  });

  it("carries the caller's trace through every event of the healing, each span a child of its cause's span", async () => {
    // Prepare: a session whose tools were listed while the MCP server was up, then the server scaled to zero
    const chat = stack.state.frontDoor;
    const session = (await (await fetch(`${chat}/chat/sessions`, { method: 'POST' })).json()) as {
      sessionId: string;
      token: string;
    };
    await postChat(chat, { message: 'Use the get_service_status tool please.', ...session });
    expect((await kubectl(stack.state.kubeconfig, ['-n', 'demo', 'scale', 'deploy/mcp-demo', '--replicas=0'])).code).toBe(0);
    await stack.sim.waitFor(() => stack.sim.list('Pod', 'demo', 'app=mcp-demo').length === 0, { timeoutMs: 30_000 });
    const after = cloudEvents(ops).length;
    // Act
    const reply = await postChat(
      chat,
      { message: 'Use the get_service_status tool please.', ...session },
      { headers: { traceparent: `00-${TRACE}-${CALLER_SPAN}-01` } }
    );
    const outcome = await outcomeFor(ops, 'mcp-demo', after);
    const events = cloudEvents(ops).slice(after);
    const report = events.find((e) => e.type === 'dev.cortex.error.reported' && e.source === '/cortex/chat')!;
    const healingId = String(outcome.data.healingId);
    const healing = events.filter(
      (e) =>
        e.id === report.id ||
        e.data.healingId === healingId ||
        (e.type === 'dev.cortex.healing.requested' && e.causationid === report.id)
    );
    const spanIds = healing.map((e) => parts(e).spanId);
    await collector.until((spans) => spanIds.every((id) => spans.some((s) => s.spanId === id)));
    // Assess
    expect(reply.events.map((e) => e.event)).toContain('healing_complete');
    expect(outcome.type).toBe('dev.cortex.healing.completed');
    expect(healing.length).toBeGreaterThan(20);
    expect(new Set(healing.map((e) => parts(e).traceId))).toEqual(new Set([TRACE]));
    // The chat's span continues the caller's; every other event's span is a child of the span its cause names.
    const spanOf = (id: string) => collector.spans.find((s) => s.spanId === id)!;
    expect(spanOf(parts(report).spanId)).toMatchObject({
      service: 'chat',
      parentSpanId: CALLER_SPAN,
      name: 'POST /chat',
      traceId: TRACE
    });
    // causationid names an id only, and two checks answering one request emit the same id from different sources:
    // the emitting span says which event (source and id) it consumed.
    const key = (source: unknown, id: unknown): string => `${String(source)} ${String(id)}`;
    const bySourceId = new Map(events.map((e) => [key(e.source, e.id), e]));
    const causeOf = (e: StreamedEvent): StreamedEvent | undefined => {
      const attrs = spanOf(parts(e).spanId).attributes;
      return attrs['cloudevents.event_id'] === e.causationid
        ? bySourceId.get(key(attrs['cloudevents.event_source'], attrs['cloudevents.event_id']))
        : undefined;
    };
    for (const e of healing.filter((x) => x !== report)) {
      const cause = causeOf(e);
      expect(cause, `${e.type} ${e.id}: its cause ${String(e.causationid)} is on the stream`).toBeDefined();
      const span = spanOf(parts(e).spanId);
      expect(span.traceId).toBe(TRACE);
      expect(span.parentSpanId, `${e.type} from ${e.source}`).toBe(parts(cause!).spanId);
      expect(span.service).toBe(String(e.source).replace('/cortex/', ''));
      expect(span.name).toBe(`${cause!.type} process`);
    }
    // The chain reaches from the chat to the outcome.
    let hops = 0;
    for (let e: StreamedEvent | undefined = outcome; e && e !== report; e = causeOf(e)) hops++;
    expect(hops).toBeGreaterThanOrEqual(6);
  });
});
