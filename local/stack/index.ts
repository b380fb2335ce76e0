import path from 'node:path';
import { loadAll } from '../../functions/index.js';
import { loadConfig, type Config } from '../../shared/runtime/config.js';
import type { AnyFunctionDef } from '../../shared/runtime/define-function.js';
import { createLogger, type Logger } from '../../shared/runtime/logging.js';
import { run, type RunningFunction } from '../../shared/runtime/run.js';
import { createLocalIssuer, createResolver, startBroker, type LocalIssuer, type RunningBroker } from '../broker/index.js';
import { fileTokenSource } from '../../shared/trust/token-file.js';
import { mountTokens } from './oidc.js';
import { startClaudeStandin, type ClaudeStandin } from '../claude-standin/index.js';
import { startSimulator, type Simulator } from '../kube-sim/index.js';
import { createKubePort } from '../../shared/kube/client-node.js';
import { createPublisher } from '../../shared/runtime/publish.js';
import { startDemoBackend, type DemoBackend } from './demo.js';
import { loadIdentities } from './identities.js';
import { demoApiRoutes, PAGE_FAULTS } from './demo-api.js';
import { startFrontDoor, type FrontDoor } from './front-door.js';
import { frontDoorRoutes } from './routes.js';
import { keyEnv, localSecrets } from './secrets.js';
import { isLoopbackHost } from '../../shared/runtime/browser-writes.js';
import { removeState, stateFile as stateFilePath, writeState, type LocalState } from './state-file.js';
import { createLimiter, planReplicas, startReplicaSet, type ReplicaSet } from './replicas.js';
import { startRedisServer } from '../redis/server.js';
import { describeRedis } from '../../shared/runtime/redis-config.js';

export const NAMESPACE = 'cortex';
export const BROKER_NAME = 'default';
export const DEMO = { namespace: 'demo', deployment: 'mcp-demo', service: 'mcp-demo' } as const;

export interface StackOptions {
  /** Parsed configuration (PORT = front door, CORTEX_SIM_PORT, CORTEX_STATE_DIR, …). */
  config?: Config;
  /** Overrides on top of the environment, for tests (e.g. { PORT: '0', CORTEX_SIM_PORT: '0', CORTEX_STATE_DIR: tmp }). */
  overrides?: Record<string, string>;
  /** Only these functions (default: every registered one). */
  only?: readonly string[];
  log?: Logger;
  /** Start a private redis-server (own port and temp dir, stopped with the stack) unless CORTEX_REDIS_URL is set. */
  privateRedis?: boolean;
  /** Replicas when CORTEX_REPLICAS is not set (`npm run start:scaled`: `{ '*': 2 }`). */
  replicas?: Readonly<Record<string, number>>;
}

export interface LocalStack {
  state: LocalState;
  stateFile: string;
  config: Config;
  sim: Simulator;
  broker: RunningBroker;
  /** Functions served inside the stack's process. */
  functions: ReadonlyMap<string, RunningFunction>;
  /** Functions named in CORTEX_REPLICAS: separate processes behind a balancer each. */
  replicas: ReadonlyMap<string, ReplicaSet>;
  /** Stops every function (every replica, and those in the stack's process) and starts them again, as a rollout would. */
  restartFunctions(): Promise<void>;
  standin: ClaudeStandin | undefined;
  demo: DemoBackend;
  frontDoor: FrontDoor;
  /** With CORTEX_EVENT_AUTH=oidc: the stand-in for the cluster's OIDC issuer (what mints every token). */
  oidc: LocalIssuer | undefined;
  stop(): Promise<void>;
}

/**
 * `npm start` without CORTEX_FUNCTION: the cluster simulator, a Knative-compatible broker driven by knative/,
 * every function on its own loopback port with K_SINK at the broker, the Claude stand-in when there is no API key,
 * and one front door. Writes `.cortex/local.json`.
 *
 * @example
 * const stack = await startLocalStack({ overrides: { PORT: '0', CORTEX_SIM_PORT: '0', CORTEX_STATE_DIR: dir } });
 * await stack.stop();
 */
export async function startLocalStack(opts: StackOptions = {}): Promise<LocalStack> {
  const config = opts.config ?? loadConfig(opts.overrides);
  const log = opts.log ?? createLogger({ name: 'local-stack', level: config.logLevel });
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.splice(0).reverse()) await stop().catch((err: unknown) => log.warn({ err }, 'stop failed'));
  };
  try {
    const secrets = localSecrets({ ...config, chatToken: config.history.chatToken });
    const redis = !config.redis && opts.privateRedis ? await startRedisServer() : undefined;
    if (redis) stops.push(() => redis.dispose());
    const redisUrl = config.redis?.url ?? redis?.url;
    const sim = await startSimulator({
      port: config.local.simPort,
      seed: 'demo',
      podStartMs: config.local.podStartMs,
      backoffBaseMs: config.local.backoffMs,
      log: log.child({ component: 'kube-sim' })
    });
    stops.push(() => sim.stop());
    const kubeconfig = await sim.writeKubeconfig(path.join(config.local.stateDir, 'kubeconfig.yaml'), DEMO.namespace);

    const demo = await startDemoBackend({
      kubeUrl: sim.url,
      kubeToken: sim.adminToken,
      namespace: DEMO.namespace,
      service: DEMO.service,
      log
    });
    stops.push(() => demo.stop());
    const mcpServers = [{ name: 'demo', url: demo.mcpUrl, target: { namespace: DEMO.namespace, service: DEMO.service } }];

    const standin = config.llm.apiKey
      ? undefined
      : await startClaudeStandin({ log: log.child({ component: 'claude-standin' }) });
    if (standin) stops.push(() => standin.stop());

    // Eventing's authentication-oidc, emulated: the broker issues and checks tokens and enforces the EventPolicies.
    const oidc = config.security.eventAuth === 'oidc' ? await createLocalIssuer() : undefined;
    const urls = new Map<string, string>();
    const broker = await startBroker({
      namespace: NAMESPACE,
      name: BROKER_NAME,
      brokers: [],
      triggers: [],
      knativeDir: config.local.knativeDir,
      // The function's name in the path makes dead-letter destinations say who failed.
      resolve: createResolver((ref) => (urls.has(ref.name) ? `${urls.get(ref.name)}/${ref.name}` : undefined)),
      log: log.child({ component: 'broker' }),
      bodyLimitBytes: config.bodyLimitBytes,
      allowHost: isLoopbackHost,
      ...(oidc ? { oidc } : {})
    });
    stops.push(() => broker.stop());

    const defs = (await loadAll()).filter((d) => !opts.only || opts.only.includes(d.name));
    // Each function acts as its own ServiceAccount, with knative/'s RBAC; kubectl and the demo keep the admin.
    const identities = await loadIdentities({
      sim,
      knativeDir: config.local.knativeDir,
      stateDir: config.local.stateDir,
      namespace: NAMESPACE,
      targetNamespace: DEMO.namespace,
      functions: defs.map((d) => d.name)
    });
    const counts = Object.keys(config.local.replicas).length > 0 ? config.local.replicas : (opts.replicas ?? {});
    const plan = planReplicas(defs, counts, redisUrl !== undefined);
    const dir = path.join(config.local.stateDir, 'oidc');
    const tokens = oidc
      ? await mountTokens(oidc, { dir, namespace: NAMESPACE, broker: BROKER_NAME, functions: defs.map((d) => d.name), log })
      : undefined;
    if (tokens) stops.push(async () => tokens.stop());
    const oidcEnv = (name: string): Record<string, string> =>
      tokens
        ? {
            CORTEX_EVENT_AUTH: 'oidc',
            CORTEX_OIDC_DISCOVERY_URL: new URL(broker.url).origin,
            CORTEX_OIDC_TOKEN_FILE: tokens.fileOf(name)
          }
        : { CORTEX_EVENT_AUTH: 'off' };
    const env: Record<string, string> = {
      ...opts.overrides,
      PORT: '0',
      HOST: '127.0.0.1',
      K_SINK: broker.url,
      KUBECONFIG: kubeconfig,
      POD_NAMESPACE: NAMESPACE,
      CORTEX_SESSION_SECRET: secrets.sessionSecret,
      CORTEX_OPERATOR_TOKEN: secrets.operatorToken,
      CORTEX_CHAT_TOKEN: secrets.chatToken,
      CORTEX_LOCAL_MODE: 'true',
      CORTEX_MCP_SERVERS: JSON.stringify(mcpServers),
      ...(redisUrl ? { CORTEX_REDIS_URL: redisUrl } : {}),
      ...(standin ? { ANTHROPIC_BASE_URL: standin.url } : {})
    };
    const functions = new Map<string, RunningFunction>();
    const replicas = new Map<string, ReplicaSet>();
    const extras = new Map<string, Record<string, string>>();
    // Each replica compiles its own TypeScript at start: a few at a time keeps a laptop responsive.
    const limit = createLimiter(4);
    const serve = async (def: AnyFunctionDef, extra: Record<string, string> = {}): Promise<void> => {
      const kube = { KUBECONFIG: identities.kubeconfigFor(def.name) };
      const own = { ...keyEnv(def, secrets), ...oidcEnv(def.name), ...extra, ...kube };
      extras.set(def.name, own);
      const count = plan.get(def.name);
      if (count !== undefined) {
        const set = await startReplicaSet(def.name, count, { ...env, ...own }, { limit });
        replicas.set(def.name, set);
        urls.set(def.name, set.url);
        stops.push(() => set.stop());
        return;
      }
      const fn = await run(def, { overrides: { ...env, ...own, CORTEX_FUNCTION: def.name } });
      functions.set(def.name, fn);
      urls.set(def.name, fn.url);
      stops.push(() => functions.get(def.name)!.stop());
    };
    // The relay and the history first: the chat needs their URLs (its session streams, Cortex's MCP server).
    const first = defs.filter((d) => d.name === 'sse-relay' || d.name === 'healing-history');
    await Promise.all(first.map((d) => serve(d)));
    const wanted = { CORTEX_RELAY_URL: urls.get('sse-relay'), CORTEX_HISTORY_URL: urls.get('healing-history') };
    const after = Object.fromEntries(Object.entries(wanted).filter(([, u]) => u)) as Record<string, string>;
    await Promise.all(defs.filter((d) => !first.includes(d)).map((d) => serve(d, after)));

    const info = {
      localMode: true,
      claude: standin ? 'stand-in' : 'anthropic',
      demo: { ...DEMO },
      faults: [...PAGE_FAULTS],
      // No credential here: the page asks the operator for the token, which only the state file's owner can read.
      tokenHint: `"operatorToken" in ${stateFilePath(config.local.stateDir)}`
    };
    const demoApi = demoApiRoutes({
      sim,
      kube: createKubePort({ kubeconfigPath: kubeconfig, timeoutMs: config.kubeTimeoutMs }),
      demo: DEMO,
      backend: demo,
      // The fault buttons report as the operator would (with OIDC: the operator's identity).
      publish: createPublisher({
        sink: broker.url,
        timeoutMs: config.publishTimeoutMs,
        token: tokens ? fileTokenSource(tokens.operatorFile) : undefined
      }),
      info,
      log: log.child({ component: 'local-faults' })
    });
    const routes = frontDoorRoutes({ urls, broker, namespace: NAMESPACE, brokerName: BROKER_NAME, extra: demoApi });
    const frontDoor = await startFrontDoor({
      port: config.port,
      host: config.host === '0.0.0.0' ? '127.0.0.1' : config.host,
      routes
    });
    stops.push(() => frontDoor.stop());

    const state: LocalState = {
      frontDoor: frontDoor.url,
      broker: broker.url,
      functions: Object.fromEntries(urls),
      kubeconfig,
      operatorToken: secrets.operatorToken,
      chatToken: secrets.chatToken,
      eventAuth: tokens ? 'oidc' : 'off',
      ...(tokens ? { eventTokenFile: tokens.operatorFile } : {}),
      demo: { ...DEMO, mcpUrl: demo.mcpUrl },
      claude: standin ? { mode: 'stand-in', url: standin.url } : { mode: 'anthropic' },
      simulator: sim.url,
      pid: process.pid,
      startedAt: new Date().toISOString(),
      ...(redisUrl ? { redis: describeRedis(redisUrl) } : {})
    };
    const withReplicas = (): LocalState => ({
      ...state,
      functions: Object.fromEntries(urls),
      replicas: Object.fromEntries(
        [...replicas].map(([n, set]) => [n, set.replicas().map(({ url, pid }) => ({ url, pid }))])
      )
    });
    const stateFile = await writeState(config.local.stateDir, withReplicas());
    stops.unshift(() => removeState(config.local.stateDir));
    log.info(
      {
        frontDoor: frontDoor.url,
        broker: broker.url,
        kubeconfig,
        stateFile,
        functions: functions.size,
        claude: state.claude.mode
      },
      'Cortex is running locally'
    );
    const restartFunctions = async (): Promise<void> => {
      await Promise.all([...replicas.values()].map((set) => set.stopReplicas()));
      await Promise.all([...functions.values()].map((fn) => fn.stop()));
      for (const def of defs.filter((d) => functions.has(d.name))) {
        // Back on the same port: its address is what the broker, the front door and the chat already know.
        const port = String(functions.get(def.name)!.port);
        const fn = await run(def, { overrides: { ...env, ...extras.get(def.name), PORT: port, CORTEX_FUNCTION: def.name } });
        functions.set(def.name, fn);
        urls.set(def.name, fn.url);
      }
      await Promise.all([...replicas.values()].map((set) => set.startReplicas()));
      Object.assign(state, withReplicas());
      await writeState(config.local.stateDir, state);
    };
    Object.assign(state, withReplicas());
    return {
      state,
      stateFile,
      config,
      sim,
      broker,
      functions,
      replicas,
      restartFunctions,
      standin,
      demo,
      frontDoor,
      oidc,
      stop: stopAll
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
