import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { vi } from 'vitest';
import {
  createResolver,
  parseManifests,
  startBroker,
  type BrokerOutcome,
  type RunningBroker
} from '../../../../local/broker/index.js';
import type { StartBrokerOptions } from '../../../../local/broker/start.js';
import { createLogger, type Logger } from '../../../../shared/runtime/logging.js';

/** A request a subscriber received. `at` is performance.now() on arrival. */
export interface Received {
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Answer only after this long (to exercise timeouts). */
  delayMs?: number;
}

/** Decides the answer to the n-th request (0-based). Default: 202, empty body. */
export type Responder = (req: Received, n: number) => Reply;

export interface Subscriber {
  url: string;
  port: number;
  received: Received[];
  close(): Promise<void>;
}

/** A real HTTP subscriber on a random port (or the given one) that records what it gets. */
export async function startSubscriber(respond: Responder = () => ({ status: 202 }), port = 0): Promise<Subscriber> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const got = {
        url: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: performance.now()
      };
      const reply = respond(got, received.length);
      received.push(got);
      const answer = (): void => {
        if (res.destroyed) return;
        res.writeHead(reply.status, reply.headers ?? {});
        res.end(reply.body ?? '');
      };
      if (reply.delayMs) setTimeout(answer, reply.delayMs).unref();
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })
  };
}

/** A port that nothing listens on (bound once, then released). */
export async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** A debug-level logger whose JSON lines are kept for assertions. */
export function captureLog(): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger({
    name: 'broker',
    level: 'debug',
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) }
  });
  return { log, lines };
}

export interface TestBroker {
  broker: RunningBroker;
  outcomes: BrokerOutcome[];
  lines: Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

/**
 * Starts a broker in namespace `cortex` from fixture YAML. Refs resolve to `services[name]`; uris are used as given.
 */
export async function startTestBroker(
  yaml: string,
  services: Record<string, string> = {},
  extra: Partial<StartBrokerOptions> = {}
): Promise<TestBroker> {
  const { triggers, brokers } = parseManifests(yaml, 'fixture.yaml');
  const { log, lines } = captureLog();
  const broker = await startBroker({
    namespace: 'cortex',
    triggers,
    brokers,
    log,
    resolve: createResolver((ref) => services[ref.name]),
    ...extra
  });
  const outcomes: BrokerOutcome[] = [];
  broker.on('outcome', (o) => outcomes.push(o));
  return { broker, outcomes, lines, stop: () => broker.stop() };
}

/** A Trigger manifest; `spec` is YAML indented for the spec block (2 spaces). */
export function trigger(name: string, spec: string): string {
  return `---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata: { name: ${name}, namespace: cortex }
spec:
  broker: default
${spec.replace(/^\n/, '').replace(/\s+$/, '')}
`;
}

export interface EventInput {
  id: string;
  type: string;
  source?: string;
  extensions?: Record<string, string>;
  data?: unknown;
}

/** POSTs an event in binary mode (JSON data). */
export function sendBinary(url: string, e: EventInput, headers: Record<string, string> = {}): Promise<Response> {
  const ce: Record<string, string> = {
    'ce-specversion': '1.0',
    'ce-id': e.id,
    'ce-type': e.type,
    'ce-source': e.source ?? '/test',
    'content-type': 'application/json'
  };
  for (const [k, v] of Object.entries(e.extensions ?? {})) ce[`ce-${k}`] = v;
  return fetch(url, { method: 'POST', headers: { ...ce, ...headers }, body: JSON.stringify(e.data ?? {}) });
}

/** POSTs a JSON object as a structured-mode event. */
export function sendStructured(url: string, event: Record<string, unknown>): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/cloudevents+json' },
    body: JSON.stringify(event)
  });
}

/** The final outcomes (delivered, dead-lettered, dropped) recorded for an event id. */
export const finalOutcomes = (outcomes: BrokerOutcome[], id: string): BrokerOutcome[] =>
  outcomes.filter((o) => o.id === id && (o.kind === 'delivered' || o.kind === 'dead-lettered' || o.kind === 'dropped'));

/** Waits (up to 10 s, polling every 10 ms) until `assertion` stops throwing. Waiting is not a timed assertion. */
export function eventually<T>(assertion: () => T): Promise<T> {
  return vi.waitFor(assertion, { timeout: 10_000, interval: 10 });
}

/**
 * Subscribers and brokers that a test file starts and that stop after each test: call `useServers()` inside a
 * `describe`, then `subscriber(...)` and `broker(...)` in the tests.
 */
export function useServers(afterEachHook: (fn: () => Promise<void>) => void): {
  subscriber: (...args: Parameters<typeof startSubscriber>) => Promise<Subscriber>;
  broker: (...args: Parameters<typeof startTestBroker>) => Promise<TestBroker>;
  /** Anything else to undo after the test. */
  defer: (fn: () => Promise<void>) => void;
} {
  const cleanup: Array<() => Promise<void>> = [];
  afterEachHook(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });
  return {
    async subscriber(...args) {
      const s = await startSubscriber(...args);
      cleanup.push(() => s.close());
      return s;
    },
    async broker(...args) {
      const b = await startTestBroker(...args);
      cleanup.push(() => b.stop());
      return b;
    },
    defer: (fn) => void cleanup.push(fn)
  };
}
