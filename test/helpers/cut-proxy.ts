import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Transform } from 'node:stream';

/**
 * A TCP proxy in front of a server that a test can cut: every open connection dies at once, like a Knative timeout
 * or a network blip, and new connections can be refused for a while. It records the head of every request, and can
 * drop the Last-Event-ID header (a proxy that loses it, so the server replays its whole history).
 */
export interface CutProxy {
  url: string;
  /** The first bytes of every request that came through (method, path, headers). */
  requests: string[];
  /** Destroys every open connection. */
  cut(): void;
  /** While true, new connections are closed right away. */
  refuse(on: boolean): void;
  /** While true, requests reach the server without their Last-Event-ID header. */
  stripLastEventId(on: boolean): void;
  /** New connections go to this port from now on (a server restarted elsewhere behind the same address). */
  retarget(port: number): void;
  close(): Promise<void>;
}

export async function startCutProxy(initialPort: number): Promise<CutProxy> {
  let targetPort = initialPort;
  const sockets = new Set<Socket>();
  const requests: string[] = [];
  let refusing = false;
  let stripping = false;
  const server: Server = createServer((client) => {
    if (refusing) return void client.destroy();
    const upstream = connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    const heads = new Transform({
      transform(chunk: Buffer, _enc, done) {
        let text = chunk.toString('latin1');
        if (!/^[A-Z]+ \S+ HTTP\/1\.1\r\n/.test(text)) return done(null, chunk);
        requests.push(text);
        if (stripping) text = text.replace(/\r\nlast-event-id:[^\r]*/i, '');
        done(null, Buffer.from(text, 'latin1'));
      }
    });
    client.pipe(heads).pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    cut: () => {
      for (const s of sockets) s.destroy();
    },
    refuse: (on) => void (refusing = on),
    retarget: (port) => void (targetPort = port),
    stripLastEventId: (on) => void (stripping = on),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      })
  };
}
