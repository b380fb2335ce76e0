import http from 'node:http';
import { pool } from './measure.js';

/*
 * Many SSE clients in one process, as cheap as they come: a raw node:http GET each (own socket, no agent), reading
 * the stream as text and looking only for the marker of the event being timed.
 */

export interface SseClients {
  /** Streams that opened (status 200 and the first frame received). */
  readonly connected: number;
  /** Why the others did not (first few distinct reasons with counts). */
  readonly errors: string[];
  /** Call before sending: resolves with the time (performance.now()) each open client saw `marker`. */
  expect(marker: string, safetyMs?: number): Promise<number[]>;
  close(): void;
}

interface Client {
  req: http.ClientRequest;
  tail: string;
  seen: boolean;
}

/** `opened`: the text that says a stream is open (the `connected` frame; writers differ in the space after the colon). */
export async function connectClients(
  urls: readonly string[],
  concurrency = 200,
  opened = 'event: connected'
): Promise<SseClients> {
  const clients: Client[] = [];
  const errors = new Map<string, number>();
  let current: { marker: string; times: number[]; left: number; done: () => void } | undefined;

  const fail = (reason: string): void => void errors.set(reason, (errors.get(reason) ?? 0) + 1);

  const open = (url: string): Promise<void> =>
    new Promise((resolve) => {
      const client: Client = { req: undefined as unknown as http.ClientRequest, tail: '', seen: false };
      let isOpen = false;
      client.req = http.get(url, { agent: false, headers: { accept: 'text/event-stream' } }, (res) => {
        if (res.statusCode !== 200) {
          fail(`status ${res.statusCode}`);
          res.resume();
          return resolve();
        }
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          client.tail += chunk;
          if (!isOpen && client.tail.includes(opened)) {
            isOpen = true;
            clients.push(client);
            resolve();
          }
          if (current && isOpen && !client.seen && client.tail.includes(current.marker)) {
            client.seen = true;
            current.times.push(performance.now());
            if (--current.left === 0) current.done();
          }
          if (client.tail.length > 256) client.tail = client.tail.slice(-256);
        });
        res.on('error', () => undefined);
      });
      client.req.on('error', (err: NodeJS.ErrnoException) => {
        if (!isOpen) {
          fail(err.code ?? err.message);
          resolve();
        }
      });
    });

  await pool(urls, concurrency, (url) => open(url));

  return {
    get connected() {
      return clients.length;
    },
    get errors() {
      return [...errors].map(([reason, n]) => `${n}× ${reason}`);
    },
    expect(marker, safetyMs = 60_000) {
      for (const c of clients) {
        c.seen = false;
        c.tail = '';
      }
      return new Promise((resolve, reject) => {
        const times: number[] = [];
        const timer = setTimeout(() => {
          current = undefined;
          reject(new Error(`${times.length}/${clients.length} clients saw ${marker} within ${safetyMs} ms`));
        }, safetyMs);
        current = {
          marker,
          times,
          left: clients.length,
          done: () => {
            clearTimeout(timer);
            current = undefined;
            resolve(times);
          }
        };
        if (clients.length === 0) current.done();
      });
    },
    close() {
      for (const c of clients) c.req.destroy();
    }
  };
}
