import type { Router } from 'express';
import type { z } from 'zod';
import type { AnyEventDef, EventDef, Intent } from '../events/define.js';
import type { Cause } from '../events/envelope.js';
import type { KubePort } from '../kube/port.js';
import type { Policy } from '../policy/guardrails.js';
import type { Clock, Ids } from './clock.js';
import type { Config } from './config.js';
import type { Logger } from './logging.js';
import type { RawRoutes } from './raw-routes.js';
import type { Store } from './store.js';
import type { StreamRoute } from './streams.js';
import type { Refusal } from '../trust/signature.js';

/** What a dead-lettered delivery tells us (the Knative `knativeerror*` extensions, decoded). */
export interface DeadLetter {
  /** The destination that failed (subscriber URL). */
  dest: string | undefined;
  /** The HTTP status of the last attempt, if there was a response. */
  code: number | undefined;
  /** The last response body, base64-decoded, possibly truncated. */
  data: string | undefined;
}

/** An incoming event as a handler sees it: validated against its catalog schema, data typed. */
export interface CortexEvent<T extends string = string, D = unknown> {
  readonly id: string;
  readonly source: string;
  readonly type: T;
  readonly time: string | undefined;
  readonly data: D;
  /** Extension attributes (correlationid, causationid, healingid, sessionid, traceparent, …): observability only. */
  readonly extensions: Readonly<Record<string, unknown>>;
  /** Present when the event reached us as a dead letter rather than a normal delivery. */
  readonly deadLetter?: DeadLetter;
}

/** The event union a list of catalog entries can deliver; `switch (event.type)` narrows `data`. */
export type EventOf<D> = D extends EventDef<infer T, infer S> ? CortexEvent<T, z.output<S>> : never;

/** The ports every function gets. Handlers touch nothing else: no process.env, fetch, Date.now or Kubernetes client. */
export interface Ports {
  readonly log: Logger;
  readonly clock: Clock;
  readonly ids: Ids;
  /** Kubernetes, through the narrow port; only for functions that declare `kube` needs. */
  readonly kube: KubePort;
  readonly policy: Policy;
  readonly store: Store;
}

/** Publishing and shutdown hooks: what code that acts on its own (routes, setup, ticks) needs beside the ports. */
export interface ProcessHooks {
  publish(intents: readonly Intent[], cause?: Cause): Promise<void>;
  /** Registers work to run on graceful shutdown (close SSE streams, stop timers). */
  onShutdown(fn: () => void | Promise<void>): void;
}

/**
 * What `setup` sees: the ports, the hooks and the whole configuration. It is the one place a function reads
 * configuration; it hands on the slice the function uses.
 */
export interface SetupCtx extends Ports, ProcessHooks {
  readonly config: Config;
}

/** What a handler gets: the ports and the dependencies its function's `setup` built (`undefined` without one). */
export interface Ctx<D = unknown> extends Ports {
  readonly deps: D;
}

/** What routes, ticks and gauges get: the handler's context plus the hooks, since they act on their own. */
export interface RouteCtx<D = unknown> extends Ctx<D>, ProcessHooks {}

/**
 * What one periodic run produced for one key (a target): published under `cause` id `<tick>:<key>`, continuing
 * `traceparent` when given, so work a timer does stays in the trace it belongs to.
 */
export interface TickBatch {
  readonly key: string;
  readonly intents: readonly Intent[];
  readonly traceparent?: string | undefined;
}

/**
 * Periodic work the runtime runs while the process lives (locally, and between deliveries in a cluster, where a
 * PingSource event does the same through `handle` and survives scale-to-zero).
 */
export interface TickDef<D> {
  everyMs(deps: D): number;
  run(ctx: RouteCtx<D>, tickId: string): Promise<readonly TickBatch[]>;
}

/** A gauge a function exposes on `/metrics`, read when Prometheus scrapes (the relay's connected clients). */
export interface FunctionGauge {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  read(): ReadonlyArray<{ labels: Record<string, string>; value: number }>;
}

/** One RBAC rule a function needs; the Role in knative/ must grant exactly these. */
export interface KubeNeed {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
}

/** How the function is deployed as a Knative Service (rendered into knative/ by scripts/knative). */
export interface KnativeOptions {
  readonly minScale?: number;
  readonly maxScale?: number;
  /** Request timeout; streams (SSE) are cut at this and must resume. At most 600 on default Knative installs. */
  readonly timeoutSeconds?: number;
  /** Concurrent requests per pod (containerConcurrency); 0 = unlimited. */
  readonly concurrency?: number;
  /** Why the scale bounds are what they are, rendered as a comment next to them. */
  readonly scaleReason?: string;
  /** Per-attempt delivery timeout of this function's Triggers (ISO-8601), when the default does not fit. */
  readonly deliveryTimeout?: string;
  /** Retries of this function's Triggers (after the first attempt), when the default (4) does not fit. */
  readonly deliveryRetry?: number;
  readonly memory?: { request: string; limit: string };
  /** The Secrets whose keys become the function's environment; none by default (a check holds no credential). */
  readonly secrets?: readonly SecretName[];
  /** Deliveries taken apart from the public routes, by two Services of one function (below). */
  readonly split?: SplitService;
}

/**
 * A function deployed as two Services that share their state through Redis (the relay, docs/security.md): `ingest`, a
 * cluster-local Service that takes every Trigger's deliveries (and dead letters) and mounts the signing keys it verifies
 * with, and the function's own Service, public, that serves its routes and mounts `secrets`. `env` selects each half's
 * role; both require the cortex-redis Secret. The local stack runs both halves the same way. Such a function has no
 * Kubernetes needs (`kube`): the generator renders no Role for it.
 */
export interface SplitService {
  readonly ingest: string;
  readonly env: { readonly ingest: Readonly<Record<string, string>>; readonly routes: Readonly<Record<string, string>> };
}

/**
 * The Secrets of a deployment (knative/config.yaml): `cortex-secrets` holds the session secret and the operator token
 * (the chat and the relay), `cortex-anthropic` the Claude API key (only functions that call Claude).
 */
export type SecretName = 'cortex-secrets' | 'cortex-anthropic';

/** The Secret that holds each signing key (one key per Secret, so a function mounts only the keys it uses). */
export const KEY_SECRETS: Readonly<Record<KeyName, string>> = {
  diagnosis: 'cortex-diagnosis-key',
  remediation: 'cortex-remediation-key',
  stream: 'cortex-stream-key',
  approval: 'cortex-approval-key'
};

/** The Knative Services of a function: its own, and the ingest of a split function (each with an identity of its own). */
export function serviceNames(def: { name: string; knative?: KnativeOptions | undefined }): string[] {
  return def.knative?.split ? [def.name, def.knative.split.ingest] : [def.name];
}

/** The signing keys a function uses, from its trust spec. */
export function keysOf(def: { trust?: TrustSpec | undefined }): KeyName[] {
  const rules = [...(def.trust?.verify ?? []), ...(def.trust?.sign ?? [])];
  return [...new Set(rules.map((r) => r.key))].sort();
}

/**
 * The signing keys of a deployment, one Secret each (knative/config.yaml), mounted only where used: `diagnosis` by the
 * coordinator and the checks, `remediation` by the coordinator and the remediations, `stream` by the coordinator, the
 * chat and the relay (what reaches a browser's stream), `approval` by the coordinator and the approvals function only
 * (requests for a human's approval and the signed decisions, DESIGN §12).
 */
export type KeyName = 'diagnosis' | 'remediation' | 'stream' | 'approval';

/**
 * Inbound events that must carry a valid signature by `key` (shared/trust). `once` names what makes a request single
 * use (its healingId and attempt): a second CloudEvent carrying the same name is a replay. `refuse` says what the
 * function answers an unsigned, forged, expired or replayed event: `reject` (401, never retried), `ignore` (202,
 * nothing done), or intents (a remediation's `denied` outcome). Either way it is logged and nothing else runs.
 */
/** The intents a refused event gets (a remediation's `denied` outcome); data and deps typed by the function. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type RefuseWith = (event: CortexEvent<string, any>, refusal: Refusal, ctx: Ctx<any>) => readonly Intent[];

export interface VerifyRule {
  readonly types: readonly AnyEventDef[];
  readonly key: KeyName;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly once?: (data: any) => string;
  readonly refuse: 'reject' | 'ignore' | RefuseWith;
}

/** Outbound types the runtime signs with `key`; they expire at `data.deadline` when given, else after `ttlMs`. */
export interface SignRule {
  readonly types: readonly AnyEventDef[];
  readonly key: KeyName;
  readonly ttlMs?: number;
}

/** What a function verifies and signs; the runtime does both, so `handle` only ever sees authentic events. */
export interface TrustSpec {
  readonly verify?: readonly VerifyRule[];
  readonly sign?: readonly SignRule[];
}

export interface FunctionDef<
  On extends readonly AnyEventDef[] = readonly AnyEventDef[],
  Dl extends readonly AnyEventDef[] = readonly AnyEventDef[],
  D = undefined
> {
  /** DNS-1123 name: the Knative Service, ServiceAccount and `CORTEX_FUNCTION` value. */
  readonly name: string;
  readonly description: string;
  /** Types delivered by Triggers. */
  readonly on: On;
  /** Types this function may emit; anything else is a bug and fails the delivery. */
  readonly emits: readonly AnyEventDef[];
  /** Types this function receives as dead letters (via a Trigger's deadLetterSink). */
  readonly deadLetters?: Dl;
  readonly kube?: readonly KubeNeed[];
  /**
   * State its replicas must share (DESIGN §11). `redis`: kept on Redis when CORTEX_REDIS_URL is set, so more than one
   * replica needs it; `process`: kept in this process only, so one replica at most. Unset: nothing beyond the
   * runtime's deduplication. The local stack refuses replicas that would split such state.
   */
  readonly sharedState?: 'redis' | 'process';
  readonly knative?: KnativeOptions;
  /** Configuration the function cannot start without. */
  readonly requires?: readonly (keyof Config)[];
  /** Signed events it takes and sends (and so the keys it mounts). */
  readonly trust?: TrustSpec;
  /**
   * Builds what `handle`, routes and ticks need, once, when the function is served (Temporal's
   * `createActivities(deps)`): the slice of configuration the function uses, its in-process state, its clients.
   */
  setup?(ctx: SetupCtx): D | Promise<D>;
  handle(event: EventOf<On[number] | Dl[number]>, ctx: Ctx<D>): Promise<readonly Intent[]>;
  /**
   * Why this process takes no deliveries on `POST /` (answered 404 with it, nothing verified or stored), or undefined
   * when it takes them: the public half of a split function. It then needs no verifying key.
   */
  refuseEvents?(config: Config): string | undefined;
  /** Extra HTTP routes (the chat endpoint, the relay's page), mounted next to `POST /`. */
  routes?(router: Router, ctx: RouteCtx<D>): void;
  /**
   * Extra HTTP routes on plain node:http, without express (the relay's page), for a function with no `routes`:
   * undefined when this process serves none (raw-routes.ts).
   */
  rawRoutes?(ctx: RouteCtx<D>): RawRoutes | undefined;
  /**
   * Long-lived streams (the relay's SSE), `GET <path>` → its route, served ahead of the express app so an open stream
   * holds no per-request state (streams.ts).
   */
  streams?(ctx: RouteCtx<D>): Readonly<Record<string, StreamRoute>>;
  /** Periodic work while the process lives (the coordinator's deadline checks). */
  tick?: TickDef<D>;
  /** Gauges of the function's own state, beside the ones the runtime keeps for every function. */
  metrics?(ctx: RouteCtx<D>): readonly FunctionGauge[];
}

/**
 * Declares a function. The definition is data: the runtime serves it, the registry lists it, the contract tests and
 * the knative/ generator read its subscriptions, emissions and Kubernetes needs.
 *
 * @example
 * export default defineFunction({
 *   name: 'error-intake', description: 'Classifies reported errors.',
 *   on: [Events.ErrorReported], emits: [Events.HealingRequested],
 *   setup: ({ config }) => ({ namespace: config.namespace }),
 *   async handle(event, { deps }) { return []; }
 * });
 */
export function defineFunction<
  const On extends readonly AnyEventDef[],
  const Dl extends readonly AnyEventDef[] = readonly [],
  D = undefined
>(def: FunctionDef<On, Dl, D>): FunctionDef<On, Dl, D> {
  if (def.routes && def.rawRoutes) throw new TypeError(`${def.name}: give routes (express) or rawRoutes, not both`);
  return Object.freeze(def);
}

/** Any function definition, for the registry and the runtime. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyFunctionDef = FunctionDef<any, any, any>;

export type { Intent };
