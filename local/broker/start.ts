import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBroker, type CreateBrokerOptions } from './broker.js';
import { loadKnativeDir, type KnativeResources } from './loader.js';
import type { BrokerStats, OutcomeKind, OutcomeListener } from './observer.js';

export interface StartBrokerOptions extends CreateBrokerOptions {
  /** Default 0 (a free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Directory of Knative manifests; its Brokers and Triggers are added to `brokers` and `triggers`. */
  knativeDir?: string;
  /** Which `Host` headers the server answers (others get 403); default any. The local stack allows loopback names. */
  allowHost?: (host: string | undefined) => boolean;
}

export interface RunningBroker {
  /** Ingress URL of the default broker, e.g. http://127.0.0.1:PORT/cortex/default. */
  url: string;
  port: number;
  stats(): BrokerStats;
  on(kind: OutcomeKind | 'outcome', listener: OutcomeListener): void;
  off(kind: OutcomeKind | 'outcome', listener: OutcomeListener): void;
  /** Re-reads `knativeDir` (plus the given objects) and swaps the Triggers; a bad manifest leaves the old ones. */
  reload(): Promise<void>;
  /** Stops accepting, then ends every pending delivery (delivered within the grace period, else dropped). */
  stop(): Promise<void>;
}

async function resourcesOf(opts: StartBrokerOptions): Promise<Required<KnativeResources>> {
  const fromDir = opts.knativeDir ? await loadKnativeDir(opts.knativeDir) : { brokers: [], triggers: [], eventPolicies: [] };
  return {
    brokers: [...opts.brokers, ...fromDir.brokers],
    triggers: [...opts.triggers, ...fromDir.triggers],
    eventPolicies: [...(opts.eventPolicies ?? []), ...fromDir.eventPolicies]
  };
}

/**
 * Starts the local broker's HTTP ingress.
 *
 * @example
 * const broker = await startBroker({ namespace: 'cortex', knativeDir: 'knative', triggers: [], brokers: [], resolve, log });
 * // POST CloudEvents to broker.url
 */
export async function startBroker(opts: StartBrokerOptions): Promise<RunningBroker> {
  const broker = createBroker({ ...opts, ...(await resourcesOf(opts)) });
  const allowHost = opts.allowHost;
  const server = http.createServer({ keepAlive: true }, (req, res) => {
    if (!allowHost || allowHost(req.headers.host)) return broker.handle(req, res);
    req.resume();
    const body = JSON.stringify({
      error: { code: 'forbidden_host', message: `host "${req.headers.host ?? ''}" is not served here` }
    });
    res.writeHead(403, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
  });
  // Longer than the clients' idle keep-alive sockets, so a proxy never reuses one the broker is closing (ECONNRESET).
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host === undefined || opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const url = `${origin}/${opts.namespace}/${opts.name ?? 'default'}`;
  // The issuer is the broker's own origin: its discovery document and JWKS are served here.
  opts.oidc?.setUrl(origin);
  opts.log.info({ url, brokers: broker.topology() }, 'broker ingress listening');
  let stopping: Promise<void> | undefined;

  return {
    url,
    port,
    stats: () => broker.stats(),
    on: (kind, listener) => broker.on(kind, listener),
    off: (kind, listener) => broker.off(kind, listener),
    reload: async () => {
      broker.setResources(await resourcesOf(opts));
      opts.log.info({ brokers: broker.topology() }, 'broker reloaded its Triggers');
    },
    stop: () =>
      (stopping ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await broker.stop();
        server.closeAllConnections();
        await closed;
        opts.log.info({ stats: broker.stats() }, 'broker stopped');
      })())
  };
}
