import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { loadFunction } from '../functions/index.js';
import { run } from '../shared/runtime/run.js';
import { sseFrame, sseRetry, startSse } from '../shared/sse/frame.js';
import { readBody } from './http.js';

/*
 * The server side of the relay benchmark, in its own process so the clients' memory does not count in its RSS.
 * `relay`: the sse-relay function served with run(), its logs on Redis when BENCH_REDIS_URL is set. `bare`: a bare
 * node:http SSE server with the relay's headers and frames that formats each POSTed event once and writes that Buffer
 * to every open response (the baseline). Talks to the parent over IPC:
 * sends {url} when listening, answers 'rss' with {rss} after a full GC, 'cpu' with {cpu}: the CPU time it used so far
 * (user + system, ms), 'snapshot' with the file of a heap snapshot.
 *
 *   node --import tsx --expose-gc bench/relay-child.ts relay|bare   (secret and operator token in the environment)
 */

type Message = { url: string } | { rss: number } | { snapshot: string } | { cpu: number };
const send = (m: Message): void => void process.send!(m);

/**
 * Like for like with the relay's streams: the same headers (startSse), the same opening frames (`retry`, `connected`
 * with the stream's position), and each event formatted once with its `event:`, `id:` and `data:` lines into one
 * Buffer written to every open response.
 */
async function bare(): Promise<string> {
  const open = new Set<http.ServerResponse>();
  let id = 0;
  const position = (): string => `${Date.now()}-${id}`;
  const server = http.createServer((req, res) => {
    if (req.method === 'GET') {
      startSse(res);
      res.write(
        sseRetry(1000) + sseFrame({ event: 'connected', id: position(), data: { session: null, lastEventId: '0-0' } })
      );
      open.add(res);
      res.once('close', () => open.delete(res));
      return;
    }
    void readBody(req).then((body) => {
      id++;
      const frame = Buffer.from(sseFrame({ event: String(req.headers['ce-type']), id: position(), data: body }));
      for (const r of open) r.write(frame);
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function relay(): Promise<string> {
  const fn = await run(await loadFunction('sse-relay'), {
    overrides: {
      PORT: '0',
      HOST: '127.0.0.1',
      CORTEX_LOG_LEVEL: 'silent',
      CORTEX_SESSION_SECRET: process.env.BENCH_SESSION_SECRET,
      CORTEX_OPERATOR_TOKEN: process.env.BENCH_OPERATOR_TOKEN,
      CORTEX_STREAM_KEY: process.env.BENCH_STREAM_KEY,
      // No heartbeats during a measurement.
      CORTEX_RELAY_HEARTBEAT_MS: '3600000',
      ...(process.env.BENCH_REDIS_URL
        ? { CORTEX_REDIS_URL: process.env.BENCH_REDIS_URL, CORTEX_REDIS_TIMEOUT_MS: '30000' }
        : {})
    }
  });
  return fn.url;
}

const mode = process.argv[2];
if (mode !== 'relay' && mode !== 'bare') throw new Error('usage: relay-child.ts relay|bare');
process.on('message', (m) => {
  if (m === 'cpu') {
    const { user, system } = process.cpuUsage();
    return send({ cpu: (user + system) / 1000 });
  }
  if (m !== 'rss' && m !== 'snapshot') return;
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  send(
    m === 'rss'
      ? { rss: process.memoryUsage().rss }
      : { snapshot: v8.writeHeapSnapshot(path.join(tmpdir(), `relay-child-${process.pid}-${Date.now()}.heapsnapshot`)) }
  );
});
process.on('disconnect', () => process.exit(0));
send({ url: mode === 'relay' ? await relay() : await bare() });
