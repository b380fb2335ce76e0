import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';
import { type Logger } from 'pino';
import { followEndpoints } from './endpoints-follower.js';

/*
 * A stand-in for a Kubernetes Service in the local stack. It forwards TCP connections to a local backend (the process
 * that plays the Service's pods), but listens ONLY while the Service has at least one ready endpoint address, as
 * seen through the API server. With no ready endpoints nothing listens, so clients get ECONNREFUSED exactly as when
 * they connect to a Service without endpoints in a cluster; when endpoints come back it listens on the same port.
 * Faults for tests: `hang` accepts and never answers (client timeouts), `http-500` answers every request with 500.
 */

export type ProxyFault = 'none' | 'hang' | 'http-500';

export interface ServiceProxyOptions {
  /** The API server URL (e.g. the simulator's). */
  kubeUrl: string;
  namespace: string;
  service: string;
  /** Where connections go, e.g. `http://127.0.0.1:4100`. */
  backend: string;
  /** Fixed port; default a free port picked at start. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  log: Logger;
  token?: string;
}

export interface ServiceProxy {
  /** `http://127.0.0.1:<port>`: stable across listen/unlisten. */
  url: string;
  port: number;
  /** Whether it listens now (the Service has ready endpoints). */
  listening(): boolean;
  setFault(fault: ProxyFault): void;
  stop(): Promise<void>;
}

async function freePort(host: string): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.listen(0, host, resolve);
  });
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const INTERNAL_ERROR = '{"error":"upstream returned 500 (injected by service proxy)"}';
const HTTP_500 = `HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nContent-Length: ${INTERNAL_ERROR.length}\r\nConnection: close\r\n\r\n${INTERNAL_ERROR}`;

/**
 * Starts the proxy; resolves once the Service's endpoints were read the first time (and the proxy listens if any is
 * ready).
 *
 * @example
 * const proxy = await startServiceProxy({ kubeUrl: sim.url, namespace: 'demo', service: 'mcp-demo',
 *   backend: 'http://127.0.0.1:4100', log });
 */
export async function startServiceProxy(o: ServiceProxyOptions): Promise<ServiceProxy> {
  const host = o.host ?? '127.0.0.1';
  const port = o.port ?? (await freePort(host));
  const backend = new URL(o.backend);
  const backendPort = Number(backend.port || (backend.protocol === 'https:' ? 443 : 80));
  const log = o.log.child({ service: `${o.namespace}/${o.service}`, port });
  let fault: ProxyFault = 'none';
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  let wantListening = false;
  // Listen/close transitions run one after another, in the order the endpoint changes arrived.
  let transition: Promise<void> = Promise.resolve();

  const onConnection = (client: Socket): void => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    if (fault === 'hang') {
      client.resume();
      return;
    }
    if (fault === 'http-500') {
      client.once('data', () => client.end(HTTP_500));
      return;
    }
    const upstream = connect(backendPort, backend.hostname);
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream).pipe(client);
  };

  const listen = async (): Promise<void> => {
    if (server) return;
    const s = createServer(onConnection);
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, host, () => {
        s.off('error', reject);
        resolve();
      });
    });
    server = s;
    log.info('service has ready endpoints: listening');
  };

  const unlisten = async (): Promise<void> => {
    const s = server;
    if (!s) return;
    server = undefined;
    // Like pods going away: open connections break, new ones are refused.
    for (const sock of sockets) sock.destroy();
    await new Promise<void>((r) => s.close(() => r()));
    log.info('service has no ready endpoints: not listening (connections are refused)');
  };

  const apply = (ready: number): void => {
    wantListening = ready > 0;
    transition = transition
      .then(() => (wantListening ? listen() : unlisten()))
      .catch((err: unknown) => log.error({ err }, 'service proxy could not change state'));
  };

  const follower = followEndpoints({
    kubeUrl: o.kubeUrl,
    namespace: o.namespace,
    service: o.service,
    onChange: apply,
    log,
    token: o.token
  });
  await follower.initial;
  await transition;

  return {
    url: `http://${host}:${port}`,
    port,
    listening: () => server !== undefined,
    setFault(f) {
      fault = f;
      // Open (keep-alive) connections would bypass the new behaviour: drop them so clients reconnect.
      for (const sock of sockets) sock.destroy();
      log.info({ fault: f }, 'service proxy fault set');
    },
    async stop() {
      follower.stop();
      wantListening = false;
      transition = transition.then(unlisten);
      await transition;
    }
  };
}
