/*
 * The narrow, domain-shaped port every check and remediation uses to reach Kubernetes. The only implementation that
 * talks to an API server is ./client-node.ts; tests use test/fakes/kube.ts or the cluster simulator.
 * Object shapes are the Kubernetes API's own (type-only re-exports: nothing of the client library is loaded here).
 */
import type {
  CoreV1Event,
  V1Deployment,
  V1EndpointSlice,
  V1Endpoints,
  V1Namespace,
  V1NetworkPolicy,
  V1Pod,
  V1ReplicaSet,
  V1Scale,
  V1Service,
  V2HorizontalPodAutoscaler
} from '@kubernetes/client-node';
import type { ChangeFeed } from './change-feed.js';

export type Pod = V1Pod;
export type Deployment = V1Deployment;
export type ReplicaSet = V1ReplicaSet;
export type Service = V1Service;
export type Endpoints = V1Endpoints;
export type EndpointSlice = V1EndpointSlice;
export type KubeEvent = CoreV1Event;
export type NetworkPolicy = V1NetworkPolicy;
export type Namespace = V1Namespace;
export type Scale = V1Scale;
export type HorizontalPodAutoscaler = V2HorizontalPodAutoscaler;

export interface ListOptions {
  /** Kubernetes label selector syntax, e.g. `app=x,tier!=db`. */
  labelSelector?: string;
  /** Kubernetes field selector syntax, e.g. `status.phase=Failed`. */
  fieldSelector?: string;
}

export interface WriteOptions {
  /** Server-side dry run (`dryRun=All`): the API server validates and answers, and persists nothing. */
  dryRun?: boolean;
}

export interface LogOptions {
  container?: string;
  previous?: boolean;
  tailLines?: number;
  /** Upper bound on bytes read; log text is untrusted input. */
  limitBytes?: number;
}

/** `json`: RFC 6902 JSON Patch (the body is a list of operations), what `kubectl rollout undo` sends. */
export type PatchStrategy = 'merge' | 'strategic' | 'json';

/** One RFC 6902 operation of a `json` patch. */
export interface JsonPatchOp {
  op: 'add' | 'remove' | 'replace' | 'test';
  path: string;
  value?: unknown;
}

/** The kinds a wait can follow with a watch. */
export type WatchedKind = 'pods' | 'deployments' | 'endpointslices' | 'poddisruptionbudgets';

export interface WatchTarget {
  kind: WatchedKind;
  /** Kubernetes label selector syntax, e.g. `app=x`. */
  labelSelector?: string;
}

/**
 * What an eviction did: the pod is evicted (deleted gracefully), was already gone, or a PodDisruptionBudget refused it
 * (`reason` is the API server's cause, e.g. "The disruption budget api needs 2 healthy pods and has 1 currently").
 */
export type EvictionResult =
  { outcome: 'evicted' } | { outcome: 'gone' } | { outcome: 'blocked'; reason: string; retryAfterSeconds?: number };

/**
 * Reads return `undefined` for a missing object. Failures are CortexErrors with retry meaning: TransientError
 * (5xx, 429, timeouts, connection errors), ConflictError (409 on write), ForbiddenError (403), NotFoundError (404 on
 * write), InvalidRequestError (400/422 on write). Never a raw client exception.
 */
export interface KubePort {
  readNamespace(name: string): Promise<Namespace | undefined>;
  readDeployment(namespace: string, name: string): Promise<Deployment | undefined>;
  listDeployments(namespace: string, opts?: ListOptions): Promise<Deployment[]>;
  listReplicaSets(namespace: string, opts?: ListOptions): Promise<ReplicaSet[]>;
  readService(namespace: string, name: string): Promise<Service | undefined>;
  listServices(namespace: string, opts?: ListOptions): Promise<Service[]>;
  readEndpoints(namespace: string, name: string): Promise<Endpoints | undefined>;
  listEndpointSlices(namespace: string, opts?: ListOptions): Promise<EndpointSlice[]>;
  listPods(namespace: string, opts?: ListOptions): Promise<Pod[]>;
  /** The log text, or undefined when the pod or (with `previous`) the previous container does not exist. */
  readPodLog(namespace: string, pod: string, opts?: LogOptions): Promise<string | undefined>;
  listEvents(namespace: string, opts?: ListOptions): Promise<KubeEvent[]>;
  listNetworkPolicies(namespace: string, opts?: ListOptions): Promise<NetworkPolicy[]>;
  /** autoscaling/v2 HorizontalPodAutoscalers; none where the API does not serve them. */
  listHorizontalPodAutoscalers(namespace: string, opts?: ListOptions): Promise<HorizontalPodAutoscaler[]>;
  /** Deletes a pod; `false` when it was already gone. PodDisruptionBudgets do not apply: only for finished pods. */
  deletePod(namespace: string, name: string, opts?: WriteOptions): Promise<boolean>;
  /**
   * Evicts a pod through the Eviction API (`pods/eviction` create), so its PodDisruptionBudget decides. A budget's
   * refusal is a `blocked` result, never an error and never retried here.
   */
  evictPod(namespace: string, name: string, opts?: WriteOptions): Promise<EvictionResult>;
  /** Sets `spec.replicas` through the `/scale` subresource (merge patch). */
  scaleDeployment(namespace: string, name: string, replicas: number, opts?: WriteOptions): Promise<Scale>;
  patchDeployment(
    namespace: string,
    name: string,
    patch: Record<string, unknown> | readonly JsonPatchOp[],
    opts?: WriteOptions & { strategy?: PatchStrategy }
  ): Promise<Deployment>;
  /**
   * Watches the targets in a namespace (one watch each, from the current resourceVersion, with bookmarks) and reports
   * every added, modified or deleted object into the returned feed; resolves once every watch is open. Fails (a
   * CortexError) when a watch cannot open, e.g. RBAC without the `watch` verb. Optional: without it, waits poll.
   */
  watchChanges?(namespace: string, targets: readonly WatchTarget[]): Promise<ChangeFeed>;
}
