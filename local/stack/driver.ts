import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CloudEvent, HTTP } from 'cloudevents';
import { startLocalStack, type LocalStack } from './index.js';
import { openSse, type SseClient } from './sse-client.js';
import { Events } from '../../shared/events/catalog.js';

/*
 * Driving a running local stack from outside, over HTTP, as tests and benchmarks do: fast settings, publishing to
 * the broker ingress, following the operator stream, waiting for a healing's outcome.
 */

/** Fast settings for a stack under test or benchmark: free ports, a private state dir, quick pods and back-offs. */
export function testStackEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PORT: '0',
    CORTEX_SIM_PORT: '0',
    CORTEX_STATE_DIR: mkdtempSync(path.join(os.tmpdir(), 'cortex-stack-')),
    CORTEX_SIM_POD_START_MS: '150',
    CORTEX_SIM_BACKOFF_MS: '300',
    CORTEX_TICK_INTERVAL_MS: '250',
    CORTEX_CHECK_WAIT_MS: '5000',
    CORTEX_LOG_LEVEL: 'silent',
    ...extra
  };
}

/** A stack with the fast settings. */
export async function startTestStack(extra: Record<string, string> = {}): Promise<LocalStack> {
  return startLocalStack({ overrides: testStackEnv(extra) });
}

/** The operator stream of a stack: every CloudEvent, whole. */
export async function operatorStream(stack: LocalStack, query = ''): Promise<SseClient> {
  const client = await openSse(
    `${stack.state.frontDoor}/events?operator=1&token=${stack.state.operatorToken}&history=0${query}`
  );
  if (client.status !== 200) throw new Error(`operator stream answered ${client.status}`);
  return client;
}

export interface StreamedEvent {
  type: string;
  id: string;
  data: Record<string, unknown>;
  [attr: string]: unknown;
}

const parsed = new WeakMap<SseClient, { read: number; events: StreamedEvent[] }>();

/** The CloudEvents seen on an operator stream, parsed (each message once: waits call this on every message). */
export function cloudEvents(client: SseClient): StreamedEvent[] {
  let cache = parsed.get(client);
  if (!cache || cache.read > client.messages.length) parsed.set(client, (cache = { read: 0, events: [] }));
  for (; cache.read < client.messages.length; cache.read++) {
    const m = client.messages[cache.read]!;
    if (m.event.startsWith('dev.cortex.')) cache.events.push(JSON.parse(m.data) as StreamedEvent);
  }
  return cache.events.slice();
}

/** The terminal event (healing.completed / healing.failed) for a target, once it arrives. */
export async function outcomeFor(client: SseClient, service: string, after = 0, safetyMs = 60_000): Promise<StreamedEvent> {
  const done = (e: StreamedEvent): boolean =>
    (e.type === Events.HealingCompleted.type || e.type === Events.HealingFailed.type) &&
    (e.data.target as { service: string }).service === service;
  await client.until((c) => cloudEvents(c).slice(after).some(done), safetyMs);
  return cloudEvents(client).slice(after).find(done)!;
}

/** An error.reported as the chat would send it after a failed MCP call. */
export function errorReport(
  target: { namespace: string; service: string },
  opts: { id?: string; sessionId?: string; category?: string; occurredAt?: string } = {}
): CloudEvent<unknown> {
  return new CloudEvent<unknown>({
    specversion: '1.0',
    id: opts.id ?? `err-${Math.random().toString(36).slice(2)}`,
    source: '/cortex/chat',
    type: Events.ErrorReported.type,
    datacontenttype: 'application/json',
    data: {
      component: 'chat',
      category: opts.category ?? 'mcp_unreachable',
      message: 'connect ECONNREFUSED',
      occurredAt: opts.occurredAt ?? new Date().toISOString(),
      target,
      ...(opts.sessionId ? { sessionId: opts.sessionId } : {})
    }
  });
}

/** The headers that authenticate to the stack's broker: with OIDC, the operator's token (what `kubectl create token` gives). */
export async function eventAuthHeaders(state: { eventTokenFile?: string | undefined }): Promise<Record<string, string>> {
  if (!state.eventTokenFile) return {};
  return { authorization: `Bearer ${(await readFile(state.eventTokenFile, 'utf8')).trim()}` };
}

/** Publishes to the stack's broker ingress (through the front door) in structured mode, as the operator. */
export async function publish(stack: LocalStack, event: CloudEvent<unknown>): Promise<number> {
  const m = HTTP.structured(event);
  const res = await fetch(`${stack.state.frontDoor}/cortex/default`, {
    method: 'POST',
    headers: { ...(m.headers as Record<string, string>), ...(await eventAuthHeaders(stack.state)) },
    body: m.body as string
  });
  await res.text();
  return res.status;
}
