import { pino, type Logger } from 'pino';
import { randomBytes } from 'node:crypto';
import { type ApiContext } from './api/context.js';
import { ListSnapshots } from './api/paging.js';
import { listenHttpAndHttps } from './api/listener.js';
import { apiHandler } from './api/server.js';
import { type AuditEvent, AuditLog, type AuditedWrite } from './auth/audit.js';
import { Authenticator } from './auth/authenticate.js';
import { storeRbacSource } from './auth/store-source.js';
import { ControlLoop } from './controllers/loop.js';
import { EventRecorder } from './events.js';
import { type Timing } from './kubelet/container-types.js';
import { FAULT_ANNOTATION, type Fault, FaultTracker } from './kubelet/faults.js';
import { Kubelet } from './kubelet/kubelet.js';
import { writeKubeconfig } from './kubeconfig.js';
import { resourceForKind } from './resources.js';
import { matchesLabels, parseLabelSelector } from './selectors.js';
import { seedBase, seedDemo } from './seed.js';
import { type ServingCertificate, selfSignedCertificate } from './tls.js';
import { ObjectStore } from './store.js';
import { type KubeObject, clone } from './types.js';

/*
 * The cluster simulator: an in-process Kubernetes API server with a Deployment/ReplicaSet/Endpoints control plane
 * and one simulated kubelet, served over plain HTTP on loopback to real clients (kubectl, client-node, the MCP server).
 * See docs/simulator.md for what it models and what it does not.
 */

export { type AuditEvent, type AuditedWrite } from './auth/audit.js';
export { FAULT_ANNOTATION, FAULTS, type Fault, parseFaults } from './kubelet/faults.js';
export { DEPENDS_ON_ANNOTATION } from './kubelet/dependencies.js';
export { LOG_LINE_ANNOTATION, TEMPLATE_FAULT_ANNOTATION, TEMPLATE_FAULTS } from './kubelet/workload-effects.js';
export { renderKubeconfig } from './kubeconfig.js';
export { type KubeObject } from './types.js';

export interface SimulatorOptions {
  /** Default 0 (a free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Pending/ContainerCreating → Running+Ready. Default 1500 ms; 0 starts containers at once. */
  podStartMs?: number;
  /** Crash loop and image pull back-off base (kubelet: 10 s), doubling up to 30×. Default 10 000 ms. */
  backoffBaseMs?: number;
  /** How long a crashing container runs before it exits. Default min(2000, backoffBaseMs). */
  crashAfterMs?: number;
  /** How long Terminated(Error|OOMKilled) shows before back-off. Default min(1000, backoffBaseMs). */
  crashHoldMs?: number;
  /** How long a deleted pod shows Terminating. Default 1000 ms. */
  terminationMs?: number;
  /** Readiness probe period (Unhealthy events of not-ready pods). Default backoffBaseMs. */
  probePeriodMs?: number;
  /** Changes kept for watch replay; older resourceVersions get 410 Expired. Default 1000. */
  historySize?: number;
  /** How often a watch with allowWatchBookmarks=true gets a BOOKMARK event. Default 30 000 ms. */
  bookmarkMs?: number;
  /** 'demo' seeds namespace demo with mcp-demo, mcp-tools, legacy-api and postgres. Default 'none'. */
  seed?: 'demo' | 'none';
  /** The admin's bearer token (user kubernetes-admin in system:masters). Default: random. */
  adminToken?: string;
  /** How long a paged list's continue token stays valid (etcd compaction). Default 5 minutes. */
  continueTtlMs?: number;
  /** Audit events kept. Default 20 000. */
  auditSize?: number;
  log?: Logger;
}

/** A rule of the test hook that makes the API fail (e.g. 403, 500, 503) instead of serving. */
export interface FailureRule {
  method?: string;
  /** A substring or pattern of the request path. */
  path?: string | RegExp;
  /** The Status code to answer (default 500). */
  code?: number;
  reason?: string;
  message?: string;
  /** How many requests fail (default: until the returned function is called). */
  times?: number;
  /** Never answer (the client's timeout fires) instead of answering `code`. */
  hang?: boolean;
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  message?: string;
}

export interface Simulator {
  /** `http://127.0.0.1:<port>`: plain HTTP (client-node and fetch send tokens over it; Go clients do not). */
  url: string;
  /** `https://127.0.0.1:<port>`: the same API over TLS, what kubeconfigs name. */
  httpsUrl: string;
  /** The self-signed serving certificate (PEM), the kubeconfig's certificate-authority-data. */
  caCertificate: string;
  port: number;
  /** The admin's bearer token (system:masters); `writeKubeconfig` puts it in the kubeconfig. */
  adminToken: string;
  /**
   * Writes a kubeconfig for this simulator (default namespace `demo`) and resolves to its absolute path. The user is
   * the admin unless `token` names another credential; `null` writes a user without credentials (anonymous). The
   * server is https:// unless `plainHttp`: only for clients that send tokens over plain HTTP (client-node does, Go
   * clients do not).
   */
  writeKubeconfig(file: string, namespace?: string, token?: string | null, o?: { plainHttp?: boolean }): Promise<string>;
  /** Every request so far, as audit.k8s.io/v1 Events (level Metadata), oldest first. */
  audit(): AuditEvent[];
  /** The writes so far (create, update, patch, delete, deletecollection, subresources too), by acting user. */
  writes(): AuditedWrite[];
  stop(): Promise<void>;
  /** Polls `probe` until it returns a truthy value (resolved with it), or rejects after the timeout (default 30 s). */
  waitFor<T>(
    probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
    opts?: WaitOptions
  ): Promise<T>;
  /** A snapshot of one object (`kind` e.g. 'Pod', 'Deployment'): a copy of its own, free to change. */
  get(kind: string, namespace: string | undefined, name: string): KubeObject | undefined;
  /** A snapshot of objects of a kind, optionally filtered by a label selector (copies, as `get`). */
  list(kind: string, namespace?: string, labelSelector?: string): KubeObject[];
  /** Sets or clears (`'none'`, `[]`) a Deployment's faults: the same annotation `kubectl annotate` sets. */
  setFault(namespace: string, deployment: string, fault: Fault | readonly Fault[] | 'none'): void;
  /**
   * Calls `listener` for every write a client makes through the API (create, update, patch, delete, dry runs
   * marked), once it has been answered; never for the controllers' and the kubelet's own writes. Returns the
   * function that stops it.
   */
  onWrite(listener: (w: AuditedWrite) => void): () => void;
  /** Test hook: matching requests are answered with the given Status code; call the result to remove the rule. */
  failRequests(rule: FailureRule): () => void;
  /** Test hook: ends every open watch stream, as an API server restart would; clients re-watch. */
  dropWatches(): void;
}

const silent = (): Logger => pino({ level: 'silent' });

let processCertificate: ServingCertificate | undefined;
/** One serving certificate per process: every simulator of a test run shares it. */
const servingCertificate = (): ServingCertificate => (processCertificate ??= selfSignedCertificate());

/**
 * Starts the simulator.
 *
 * @example
 * const sim = await startSimulator({ seed: 'demo', podStartMs: 200, backoffBaseMs: 500 });
 * const kubeconfig = await sim.writeKubeconfig('.cortex/sim-kubeconfig.yaml');
 */
export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const log = opts.log ?? silent();
  const now = Date.now;
  const backoffBaseMs = opts.backoffBaseMs ?? 10_000;
  const timing: Timing = {
    podStartMs: opts.podStartMs ?? 1500,
    backoffBaseMs,
    crashAfterMs: opts.crashAfterMs ?? Math.min(2000, backoffBaseMs),
    crashHoldMs: opts.crashHoldMs ?? Math.min(1000, backoffBaseMs),
    terminationMs: opts.terminationMs ?? 1000,
    probePeriodMs: opts.probePeriodMs ?? backoffBaseMs
  };
  const store = new ObjectStore({ historySize: opts.historySize, now });
  const adminToken = opts.adminToken ?? randomBytes(24).toString('hex');
  const serviceAccounts = resourceForKind('ServiceAccount');
  const auth = new Authenticator({
    adminToken,
    now,
    serviceAccount: (namespace, name) => store.get(serviceAccounts, namespace, name)
  });
  const audit = new AuditLog({ max: opts.auditSize ?? 20_000, now });
  const recorder = new EventRecorder(store, now);
  const faults = new FaultTracker();
  const kubelet = new Kubelet({ store, recorder, faults, timing, log, now });
  const loop = new ControlLoop({ store, recorder, kubelet, faults, log, now });
  seedBase(store, now());
  if (opts.seed === 'demo') seedDemo(store);
  loop.run();

  const rules: (FailureRule & { left: number })[] = [];
  let address = '127.0.0.1:0';
  const ctx: ApiContext = {
    store,
    kubelet,
    log,
    now,
    auth,
    rbac: storeRbacSource(store),
    audit,
    snapshots: new ListSnapshots({ ttlMs: opts.continueTtlMs ?? 5 * 60_000, max: 64, now }),
    serverAddress: () => address,
    intercept: (method, path) => {
      const rule = rules.find(
        (r) =>
          r.left > 0 &&
          (!r.method || r.method.toUpperCase() === method) &&
          (!r.path || (typeof r.path === 'string' ? path.includes(r.path) : r.path.test(path)))
      );
      if (!rule) return undefined;
      rule.left--;
      const code = rule.code ?? 500;
      const reasons: Record<number, string> = {
        401: 'Unauthorized',
        403: 'Forbidden',
        429: 'TooManyRequests',
        503: 'ServiceUnavailable'
      };
      return {
        code,
        reason: rule.reason ?? reasons[code] ?? 'InternalError',
        message: rule.message ?? `injected failure ${code} for ${method} ${path}`,
        hang: rule.hang
      };
    },
    watches: new Set(),
    bookmarkMs: opts.bookmarkMs ?? 30_000
  };
  const host = opts.host ?? '127.0.0.1';
  const cert = servingCertificate();
  const listener = await listenHttpAndHttps(apiHandler(ctx), cert, opts.port ?? 0, host);
  const port = listener.port;
  address = `${host}:${port}`;
  const url = `http://${host}:${port}`;
  const httpsUrl = `https://${host}:${port}`;
  log.info({ url, httpsUrl, seed: opts.seed ?? 'none', timing }, 'cluster simulator listening');

  const kindDef = (kind: string) => resourceForKind(kind);
  let stopped = false;
  return {
    url,
    port,
    adminToken,
    httpsUrl,
    caCertificate: cert.cert,
    writeKubeconfig: (file, namespace, token, o) =>
      writeKubeconfig(
        file,
        o?.plainHttp ? url : { server: httpsUrl, ca: cert.cert },
        namespace,
        token === undefined ? adminToken : token
      ),
    audit: () => audit.list(),
    writes: () => audit.writes(),
    async stop() {
      if (stopped) return;
      stopped = true;
      loop.stop();
      for (const end of [...ctx.watches]) end();
      await listener.close();
    },
    async waitFor(probe, w = {}) {
      const deadline = Date.now() + (w.timeoutMs ?? 30_000);
      for (;;) {
        const v = await probe();
        if (v) return v;
        if (Date.now() > deadline) throw new Error(`timed out waiting${w.message ? ` for ${w.message}` : ''}`);
        await new Promise((r) => setTimeout(r, w.intervalMs ?? 50));
      }
    },
    get: (kind, namespace, name) => {
      const obj = store.get(kindDef(kind), namespace, name);
      return obj && clone(obj);
    },
    list: (kind, namespace, labelSelector) => {
      const reqs = parseLabelSelector(labelSelector);
      return store
        .list(kindDef(kind), namespace)
        .filter((o) => matchesLabels(reqs, o.metadata.labels))
        .map(clone);
    },
    setFault(namespace, deployment, fault) {
      const def = kindDef('Deployment');
      const d = store.get(def, namespace, deployment);
      if (!d) throw new Error(`deployment ${namespace}/${deployment} not found`);
      const annotations = { ...(d.metadata.annotations ?? {}) };
      const list = fault === 'none' ? [] : typeof fault === 'string' ? [fault] : fault;
      if (list.length === 0) delete annotations[FAULT_ANNOTATION];
      else annotations[FAULT_ANNOTATION] = list.join(',');
      store.update(def, { ...d, metadata: { ...d.metadata, annotations } });
    },
    onWrite(listener) {
      return audit.onWrite(listener);
    },
    dropWatches() {
      for (const end of [...ctx.watches]) end();
    },
    failRequests(rule) {
      const entry = { ...rule, left: rule.times ?? Number.POSITIVE_INFINITY };
      rules.push(entry);
      return () => {
        entry.left = 0;
      };
    }
  };
}
