import { type IncomingMessage, type ServerResponse, createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, type Socket, createServer as createNetServer } from 'node:net';
import { type Duplex } from 'node:stream';
import { type ServingCertificate } from '../tls.js';

/*
 * One port, two protocols: a connection whose first byte is a TLS handshake goes to the HTTPS server, any other to
 * plain HTTP. Go clients (kubectl, kubernetes-mcp-server) send credentials only over TLS, so kubeconfigs point at
 * https://; plain http:// stays for the tools that need no credentials or send them anyway (client-node, tests).
 */

const TLS_HANDSHAKE = 0x16;

export interface Listener {
  port: number;
  close(): Promise<void>;
}

export async function listenHttpAndHttps(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  cert: ServingCertificate,
  port: number,
  host: string
): Promise<Listener> {
  const badRequest = (_err: Error, socket: Duplex): void => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  };
  const http = createHttpServer({ keepAlive: true }, handler).on('clientError', badRequest);
  const https = createHttpsServer({ ...cert, keepAlive: true }, handler).on('clientError', badRequest);
  const sockets = new Set<Socket>();
  const front = createNetServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.once('data', (chunk) => {
      socket.pause();
      socket.unshift(chunk);
      (chunk[0] === TLS_HANDSHAKE ? https : http).emit('connection', socket);
      process.nextTick(() => socket.resume());
    });
  });
  await new Promise<void>((resolve, reject) => {
    front.once('error', reject);
    front.listen(port, host, () => {
      front.off('error', reject);
      resolve();
    });
  });
  return {
    port: (front.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        front.close(() => resolve());
        for (const s of sockets) s.destroy();
      })
  };
}
