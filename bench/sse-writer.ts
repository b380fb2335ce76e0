import { createChannel, createSession } from 'better-sse';
import type { ServerResponse } from 'node:http';
import { sseFrame, startSse } from '../shared/sse/frame.js';
import { serve } from './http.js';
import { measurement, quantile, type Measurement } from './measure.js';
import { connectClients } from './sse-clients.js';

/*
 * Fan-out of one event to many open SSE streams: our writer (shared/sse/frame.ts: the event is framed once and the
 * same text written to every stream, as the relay does) against better-sse 0.16.1 (a Channel of Sessions:
 * `broadcast` serialises and frames the event once per session). Both serve the same clients over loopback HTTP in
 * one process; the event is a healing_progress as the relay sends it. Reported: the server's time inside one
 * broadcast call (p50), and the time until every client saw it (p50).
 */

const CLIENTS = [1_000, 5_000];
const ROUNDS = 30;

const event = (i: number): Record<string, unknown> => ({
  service: 'mcp-demo',
  message: `pod-status: 1/1 pods Ready (round ${i})`,
  healingId: 'h-6f1c2a9e',
  target: { namespace: 'demo', service: 'mcp-demo' },
  stage: 'diagnose',
  done: 3,
  total: 8,
  check: 'pod-status',
  verdict: 'healthy'
});

interface Writer {
  name: string;
  /** How its `connected` frame starts: better-sse writes no space after the colon. */
  opened: string;
  open(req: Parameters<Parameters<typeof serve>[0]>[0], res: ServerResponse): Promise<void>;
  broadcast(name: string, id: number, data: unknown): void;
}

function ours(): Writer {
  const streams = new Set<ServerResponse>();
  return {
    name: 'ours',
    opened: 'event: connected',
    async open(_req, res) {
      startSse(res);
      res.write(sseFrame({ event: 'connected', data: {} }));
      streams.add(res);
      res.once('close', () => streams.delete(res));
    },
    broadcast(name, id, data) {
      const text = sseFrame({ event: name, id, data });
      for (const s of streams) s.write(text);
    }
  };
}

function betterSse(): Writer {
  const channel = createChannel();
  return {
    name: 'better-sse',
    opened: 'event:connected',
    async open(req, res) {
      const session = await createSession(req, res, { keepAlive: null, retry: null });
      session.push({}, 'connected');
      channel.register(session);
    },
    broadcast(name, id, data) {
      channel.broadcast(data, name, { eventId: String(id) });
    }
  };
}

async function run(writer: Writer, clients: number): Promise<{ broadcastMs: number; deliveredMs: number }> {
  const server = await serve((req, res) => void writer.open(req, res));
  const open = await connectClients(
    Array.from({ length: clients }, () => server.url),
    200,
    writer.opened
  );
  if (open.connected !== clients)
    throw new Error(`${writer.name}: ${open.connected}/${clients} connected: ${open.errors.join(', ')}`);
  const inCall: number[] = [];
  const delivered: number[] = [];
  try {
    for (let i = 0; i < ROUNDS; i++) {
      // The marker is in the data, which both writers serialise the same way.
      const seen = open.expect(`(round ${i})`);
      const start = performance.now();
      writer.broadcast('healing_progress', i + 1, event(i));
      inCall.push(performance.now() - start);
      delivered.push(Math.max(...(await seen)) - start);
    }
  } finally {
    open.close();
    await server.close();
  }
  return { broadcastMs: quantile(inCall, 0.5), deliveredMs: quantile(delivered, 0.5) };
}

export async function benchSseWriter(): Promise<Measurement[]> {
  const out: Measurement[] = [];
  for (const n of CLIENTS) {
    const base = await run(ours(), n);
    const lib = await run(betterSse(), n);
    out.push(
      measurement(
        `sse fan-out ${n}: better-sse broadcast call`,
        lib.broadcastMs,
        'ms',
        base.broadcastMs,
        'baseline: our writer, framed once'
      ),
      measurement(
        `sse fan-out ${n}: better-sse all delivered`,
        lib.deliveredMs,
        'ms',
        base.deliveredMs,
        'baseline: our writer, framed once'
      )
    );
  }
  return out;
}
