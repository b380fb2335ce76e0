import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { EXTENSIONS } from '../../shared/events/attributes.js';
import type { CloudEventRecord } from '../../shared/events/http.js';
import { deadLetterEvent, type DeliveryFailure } from './dead-letter.js';
import { retryWaitMs, type DeliveryPolicy } from './delivery-policy.js';
import type { HttpClient } from '../../shared/runtime/http-client.js';
import type { BrokerObserver, BrokerOutcome } from './observer.js';
import { describeDestination, type Resolve } from './resolve.js';
import type { Destination } from './resources.js';
import { classifyResponse, type AttemptOutcome } from './response.js';
import type { Route } from './routes.js';
import { encode, type WireMessage } from './wire.js';

/*
 * Delivers one accepted event to one Trigger's subscriber: attempts with backoff, then the dead-letter sink, then
 * "dropped". Every delivery ends in exactly one of delivered / dead-lettered / dropped, also when the broker stops:
 * waiting retries are dropped at once, requests in flight get a grace period and are then aborted.
 */

/** An event accepted by the ingress, ready for delivery. */
export interface AcceptedEvent {
  /** As accepted: with knativebrokerttl and knativearrivaltime. */
  record: CloudEventRecord;
  ttl: number;
  /** What subscribers get: the TTL is stripped (it travels only on replies). */
  outgoing: CloudEventRecord;
  /** The wire form of `outgoing`, encoded once per format and shared by every Trigger. */
  message(format: 'json' | 'binary'): WireMessage;
}

/** `arrivedData`: the body of an event that arrived in binary mode, forwarded as it is in binary deliveries. */
export function prepareEvent(record: CloudEventRecord, ttl: number, arrivedData?: Buffer): AcceptedEvent {
  // A copy without the TTL. Not `const { [key]: _, ...rest } = record`: a rest pattern with a computed key takes V8's
  // slow path, and it was the broker's most expensive line in a CPU profile (5 % of the process).
  const outgoing: Record<string, unknown> = {};
  for (const name in record) if (name !== EXTENSIONS.brokerTtl) outgoing[name] = record[name];
  const cache: Partial<Record<'json' | 'binary', WireMessage>> = {};
  return {
    record,
    ttl,
    outgoing: outgoing as CloudEventRecord,
    message: (format) => (cache[format] ??= encode(outgoing as CloudEventRecord, format, arrivedData))
  };
}

export interface DispatcherDeps {
  client: HttpClient;
  resolve: Resolve;
  observer: BrokerObserver;
  /** A subscriber answered with a CloudEvent: route it back into the broker. */
  onReply(reply: CloudEventRecord, event: AcceptedEvent, route: Route): void;
  retryAfterCapMs: number;
  /** Largest response body read (a reply event must fit). */
  maxResponseBytes: number;
  now?: () => number;
  /** Extra headers of a delivery to `dest` (the OIDC token of the Trigger's identity). */
  deliveryHeaders?(route: Route, dest: Destination): Promise<Record<string, string>>;
}

const PREFER_REPLY = { prefer: 'reply' };
const NO_BODY = Buffer.alloc(0);

type Failure = Extract<AttemptOutcome, { ok: false }>;

export class Dispatcher {
  private readonly pending = new Set<Promise<void>>();
  /** Aborted when stopping: cancels waits between retries. */
  private readonly stopWaiting = new AbortController();
  /** Aborted when the grace period ends: cancels requests in flight. */
  private readonly stopRequests = new AbortController();
  private readonly now: () => number;

  constructor(private readonly deps: DispatcherDeps) {
    this.now = deps.now ?? Date.now;
    // Every request and every wait listens on these two signals.
    setMaxListeners(0, this.stopWaiting.signal, this.stopRequests.signal);
  }

  get size(): number {
    return this.pending.size;
  }

  get stopping(): boolean {
    return this.stopWaiting.signal.aborted;
  }

  /** Starts delivering `event` along `route`; the outcome is reported to the observer. */
  dispatch(event: AcceptedEvent, route: Route): void {
    this.deps.observer.matched(route.trigger);
    // Starting on the next microtask lets the ingress write its 202 before the first attempt is built.
    const run = Promise.resolve()
      .then(() => this.deliver(event, route))
      .catch((err: unknown) => {
        this.report(event, route, { kind: 'dropped', reason: `internal error: ${(err as Error).message}` });
      });
    this.pending.add(run);
    void run.finally(() => this.pending.delete(run));
  }

  /** Stops: retries waiting are dropped now; requests in flight get `graceMs`, then are aborted and dropped. */
  async stop(graceMs: number): Promise<void> {
    this.stopWaiting.abort();
    const timer = setTimeout(() => this.stopRequests.abort(), graceMs);
    await Promise.allSettled([...this.pending]);
    clearTimeout(timer);
  }

  private report(event: AcceptedEvent, route: Route, outcome: Omit<BrokerOutcome, 'broker' | 'trigger'>): void {
    const { id, type, source } = event.record;
    this.deps.observer.record({ broker: route.broker, trigger: route.trigger, id, type, source, ...outcome }, event.record);
  }

  private resolve(dest: Destination): { url: string } | { reason: string } {
    try {
      const url = this.deps.resolve(dest);
      if (url !== undefined) return { url };
    } catch (err) {
      return { reason: `${describeDestination(dest)} does not resolve: ${(err as Error).message}` };
    }
    return { reason: `${describeDestination(dest)} does not resolve to a URL` };
  }

  private async deliver(event: AcceptedEvent, route: Route): Promise<void> {
    const target = this.resolve(route.subscriber);
    if ('reason' in target)
      return this.report(event, route, { kind: 'dropped', attempts: 0, reason: `subscriber ${target.reason}` });
    const message = event.message(route.policy.format);
    const extra = this.deps.deliveryHeaders && (await this.deps.deliveryHeaders(route, route.subscriber));
    const headers = extra ? { ...PREFER_REPLY, ...extra } : PREFER_REPLY;
    const result = await this.withRetries(event, route, target.url, message, headers, classifyResponse);
    if (result.ok) {
      this.report(event, route, { kind: 'delivered', attempts: result.attempts, url: target.url });
      if (result.reply) this.deps.onReply(result.reply, event, route);
      return;
    }
    const failure: DeliveryFailure = { url: target.url, status: result.status, body: result.body, reason: result.reason };
    if (result.stopped) {
      return this.report(event, route, {
        kind: 'dropped',
        attempts: result.attempts,
        status: result.status,
        reason: result.reason
      });
    }
    await this.deadLetter(event, route, failure, result.attempts);
  }

  private async deadLetter(event: AcceptedEvent, route: Route, failure: DeliveryFailure, attempts: number): Promise<void> {
    const failed = `${attempts} attempt(s) to ${failure.url} failed, last: ${failure.reason}`;
    const drop = (reason: string): void =>
      this.report(event, route, { kind: 'dropped', attempts, status: failure.status, url: failure.url, reason });
    const dls = route.policy.deadLetterSink;
    if (!dls) return drop(`${failed}; no dead-letter sink`);
    const target = this.resolve(dls);
    if ('reason' in target) return drop(`${failed}; dead-letter sink ${target.reason}`);
    const message = encode(deadLetterEvent(event.outgoing, failure), route.policy.format);
    // Knative sends to the dead-letter sink with the same retry config; its reply, if any, is not routed.
    const auth = (await this.deps.deliveryHeaders?.(route, dls)) ?? {};
    const result = await this.withRetries(event, route, target.url, message, auth, (res, now) =>
      res.status >= 200 && res.status <= 299 ? { ok: true, reply: undefined } : classifyResponse(res, now)
    );
    if (!result.ok) return drop(`${failed}; dead-letter sink ${target.url} failed too: ${result.reason}`);
    this.report(event, route, {
      kind: 'dead-lettered',
      attempts,
      status: failure.status,
      url: target.url,
      reason: failed
    });
  }

  private async withRetries(
    event: AcceptedEvent,
    route: Route,
    url: string,
    message: WireMessage,
    headers: Record<string, string>,
    classify: typeof classifyResponse
  ): Promise<
    | { ok: true; attempts: number; reply: CloudEventRecord | undefined }
    | (Failure & { ok: false; attempts: number; stopped: boolean })
  > {
    const policy: DeliveryPolicy = route.policy;
    for (let attempts = 0; ;) {
      const outcome = await this.attempt(url, message, headers, policy, classify);
      attempts++;
      if (outcome.ok) return { ...outcome, attempts };
      const stoppedReason = `broker stopped after ${attempts} failed attempt(s), last: ${outcome.reason}`;
      if (this.stopping) return { ...outcome, attempts, stopped: true, reason: stoppedReason };
      if (!outcome.retryable || attempts > policy.retry) return { ...outcome, attempts, stopped: false };
      const delayMs = retryWaitMs(policy, attempts - 1, outcome, this.deps.retryAfterCapMs);
      this.report(event, route, { kind: 'retry', attempts, status: outcome.status, url, delayMs, reason: outcome.reason });
      try {
        await sleep(delayMs, undefined, { signal: this.stopWaiting.signal });
      } catch {
        return { ...outcome, attempts, stopped: true, reason: `${stoppedReason}; a retry was pending` };
      }
    }
  }

  private async attempt(
    url: string,
    message: WireMessage,
    headers: Record<string, string>,
    policy: DeliveryPolicy,
    classify: typeof classifyResponse
  ): Promise<AttemptOutcome> {
    try {
      const res = await this.deps.client.post(url, message, {
        timeoutMs: policy.timeoutMs,
        signal: this.stopRequests.signal,
        maxBodyBytes: this.deps.maxResponseBytes,
        headers
      });
      return classify(res, this.now());
    } catch (err) {
      return {
        ok: false,
        status: undefined,
        body: NO_BODY,
        reason: (err as Error).message,
        retryable: true,
        retryAfterMs: undefined
      };
    }
  }
}
