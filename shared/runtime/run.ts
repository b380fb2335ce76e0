import type { CloudEventRecord } from '../events/http.js';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DestinationStream } from 'pino';
import type { Intent } from '../events/define.js';
import type { Cause } from '../events/envelope.js';
import type { KubePort } from '../kube/port.js';
import { createPolicy } from '../policy/guardrails.js';
import { systemClock, systemIds, type Clock, type Ids } from './clock.js';
import { loadConfig, requireConfig, type Config } from './config.js';
import type { AnyFunctionDef, Ports, ProcessHooks, RouteCtx } from './define-function.js';
import { stampIntents } from './delivery.js';
import { createIdempotency } from './idempotency.js';
import { createLogger } from './logging.js';
import { KEY_ENV } from './env-security.js';
import { createPublisher, type Publish } from './publish.js';
import { createApp, type ServerState } from './server.js';
import { serveStreams } from './streams.js';
import { traceRawRoutes } from './raw-routes.js';
import { createMemoryStore, type Store } from './store.js';
// Types only (erased): the module itself is imported lazily, when CORTEX_REDIS_URL is set.
import type * as RedisModule from '../redis/index.js';
import type { RedisState } from '../redis/index.js';
import { createFunctionMetrics } from './metrics.js';
import { startTick } from './tick.js';
import { activeSpanContext, installContextManager } from '../tracing/context.js';
import { createTracing } from '../tracing/provider.js';
import { traceExtensions } from '../tracing/traceparent.js';
import { createTrust, missingKeys } from '../trust/trust.js';
import { createDeliveryAuth, SERVICE_ACCOUNT_TOKEN_FILE } from '../trust/delivery-auth.js';
import { eventTokenOf } from '../trust/token-file.js';
import { ConfigError } from './errors.js';

export interface RunOptions {
  /** Environment overrides (the local stack gives each function its PORT, K_SINK, …). */
  overrides?: Record<string, string | undefined>;
  /** Already-parsed configuration; wins over overrides. */
  config?: Config;
  logDestination?: DestinationStream;
  kube?: KubePort;
  store?: Store;
  clock?: Clock;
  ids?: Ids;
  publish?: Publish;
}

/** A served function: where it listens and how to stop it. */
export interface RunningFunction {
  readonly name: string;
  readonly url: string;
  readonly port: number;
  readonly config: Config;
  readonly ctx: RouteCtx;
  /** Graceful stop: readiness goes 503, no new connections, shutdown hooks run, in-flight requests finish. */
  stop(): Promise<void>;
}

async function kubeFor(def: AnyFunctionDef, config: Config, given: KubePort | undefined): Promise<KubePort> {
  if (given) return given;
  if (!def.kube || def.kube.length === 0) {
    return new Proxy({} as KubePort, {
      get: (_t, prop) =>
        prop === 'then'
          ? undefined
          : () => Promise.reject(new Error(`${def.name} declares no Kubernetes needs but called kube.${String(prop)}`))
    });
  }
  // Loaded only by functions that need it: the Kubernetes client is heavy. A literal path, so the build bundles it.
  const { createKubePort } = await import('../kube/client-node.js');
  return createKubePort({ kubeconfigPath: config.kubeconfig, inCluster: config.inCluster, timeoutMs: config.kubeTimeoutMs });
}

/** The function's shared state on Redis when CORTEX_REDIS_URL is set; ioredis is loaded only then. */
async function redisStateFor(
  def: AnyFunctionDef,
  config: Config,
  log: ReturnType<typeof createLogger>
): Promise<RedisState<CloudEventRecord[]> | undefined> {
  if (!config.redis) return undefined;
  // A literal path, so the build bundles it (a chunk loaded only here); a computed one is left to Node, and dist/ has no
  // redis/index.js.
  const { openRedisState } = (await import('../redis/index.js')) as typeof RedisModule;
  return openRedisState<CloudEventRecord[]>(config.redis, {
    fn: def.name,
    ttlMs: config.idempotency.ttlMs,
    runningTtlMs: config.idempotency.runningTtlMs,
    log
  });
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * The composition root of one function: parses configuration, builds the real ports, serves the definition.
 * Process-wide concerns (signals, crash handlers) belong to the caller (functions/main.ts or the local stack).
 *
 * @example
 * const fn = await run(errorIntake, { overrides: { PORT: '0', K_SINK: brokerUrl } });
 * await fn.stop();
 */
export async function run(def: AnyFunctionDef, opts: RunOptions = {}): Promise<RunningFunction> {
  const config = opts.config ?? loadConfig({ ...opts.overrides, CORTEX_FUNCTION: def.name });
  if (def.emits.length > 0 && !opts.publish) requireConfig(config, ['sink'], def.name);
  requireConfig(config, def.requires ?? [], def.name);
  // The public half of a split function takes no deliveries: it verifies nothing, so it holds no verifying key.
  const refuseEvents = def.refuseEvents?.(config);
  const missing = missingKeys(def, config.security.keys, { verifies: refuseEvents === undefined });
  if (missing.length > 0)
    throw new ConfigError(`${def.name} needs signing keys that are not set: ${missing.map((k) => KEY_ENV[k]).join(', ')}`);
  const log = createLogger({ name: def.name, level: config.logLevel, destination: opts.logDestination });
  const clock = opts.clock ?? systemClock;
  const ids = opts.ids ?? systemIds;
  installContextManager();
  // Spans are always made (their ids travel in every event's traceparent); they are exported only to a configured collector.
  const tracing = createTracing({ service: def.name, endpoint: config.otlpEndpoint, log });
  const tracer = tracing.tracer;
  const metrics = createFunctionMetrics({ name: def.name, emits: def.emits.map((d: { type: string }) => d.type) });
  const { security } = config;
  const sink =
    opts.publish ??
    createPublisher({ sink: config.sink, timeoutMs: config.publishTimeoutMs, token: eventTokenOf(security) });
  const auth =
    security.eventAuth === 'oidc'
      ? createDeliveryAuth({ ...security.oidc, apiTokenFile: SERVICE_ACCOUNT_TOKEN_FILE })
      : undefined;
  const publish: Publish = async (event) => {
    await sink(event);
    metrics.emitted(event);
  };
  const redis = await redisStateFor(def, config, log);
  if (def.sharedState === 'redis' && !redis && config.inCluster)
    log.warn(
      `${def.name} keeps its state in this process (no CORTEX_REDIS_URL): run it as one replica, or give it Redis (cortex-redis Secret)`
    );
  const ports: Ports = {
    log,
    clock,
    ids,
    kube: await kubeFor(def, config, opts.kube),
    policy: createPolicy(config.remediation),
    store: opts.store ?? redis?.store ?? createMemoryStore()
  };
  const trust = createTrust(def, config.security.keys, ports);
  const shutdownHooks: Array<() => void | Promise<void>> = [];
  const hooks: ProcessHooks = {
    async publish(intents: readonly Intent[], cause?: Cause) {
      // Inside a traced request (the chat's POST /chat) the events continue its trace.
      const active = activeSpanContext();
      for (const e of stampIntents(def, intents, cause, ports, active ? traceExtensions(active) : undefined, trust?.seal))
        await publish(e);
    },
    onShutdown: (fn) => void shutdownHooks.push(fn)
  };
  // The function's own dependencies, built once from the configuration it uses (its `setup`).
  const deps: unknown = await def.setup?.({ ...ports, ...hooks, config });
  const routeCtx: RouteCtx = { ...ports, ...hooks, deps };
  const seen =
    redis?.seen ?? createIdempotency<CloudEventRecord[]>({ ...config.idempotency, now: () => clock.now().getTime() });
  const state: ServerState = { ready: false, inflight: 0, unready: redis?.unready };
  for (const gauge of def.metrics?.(routeCtx) ?? []) metrics.gauge(gauge);
  const deliveryDeps = { def, ctx: routeCtx, publish, seen, tracer, metrics, trust, auth };
  // Only a function with express routes of its own loads express (routes-app.ts); a literal path, so the build bundles it.
  const raw = def.rawRoutes?.(routeCtx);
  const routes = def.routes
    ? (await import('./routes-app.js')).createRoutesApp(def, routeCtx, tracer)
    : raw && traceRawRoutes(raw, tracer, def.name);
  const app = createApp(def, deliveryDeps, state, config.bodyLimitBytes, {
    loopbackOnly: config.localMode,
    refuseEvents,
    routes
  });
  const streams = def.streams?.(routeCtx);
  const httpServer: Server = createServer(
    streams
      ? serveStreams(app, { routes: streams, fn: def.name, state, log, metrics, tracer, loopbackOnly: config.localMode })
      : app
  );
  httpServer.keepAliveTimeout = 65_000;
  const port = await listen(httpServer, config.port, config.host);
  startTick(def, routeCtx);
  state.ready = true;
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  log.info({ port, sink: config.sink, on: def.on.map((d: { type: string }) => d.type) }, `${def.name} listening`);
  if (!auth)
    log.warn(
      { eventAuth: 'off' },
      'CORTEX_EVENT_AUTH=off: deliveries carry no token, anyone who reaches POST / can send events; signed requests still protect what acts (docs/security.md)'
    );

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      state.ready = false;
      const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      for (const hook of shutdownHooks.splice(0))
        await Promise.resolve(hook()).catch((err) => log.warn({ err }, 'shutdown hook failed'));
      const deadline = Date.now() + config.shutdownTimeoutMs;
      while (state.inflight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      if (state.inflight > 0) log.warn({ inflight: state.inflight }, 'shutdown timeout: closing remaining connections');
      httpServer.closeAllConnections();
      await closed;
      await tracing.shutdown();
      await redis?.release();
      log.info('stopped');
      log.flush?.();
    })());

  return { name: def.name, url: `http://${host}:${port}`, port, config, ctx: routeCtx, stop };
}
