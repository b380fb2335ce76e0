import { EventEmitter } from 'node:events';
import type { CloudEventRecord } from '../../shared/events/http.js';
import type { Logger } from '../../shared/runtime/logging.js';

/*
 * Every outcome of the broker goes through `record`: it counts it, logs it (one place decides the level) and tells
 * listeners. Per accepted event and matching Trigger exactly one final outcome is recorded: `delivered`,
 * `dead-lettered` or `dropped` (with its reason). `retry` marks each retry; `reply` a reply routed back in.
 */

export type OutcomeKind =
  'accepted' | 'rejected' | 'unrouted' | 'retry' | 'delivered' | 'dead-lettered' | 'dropped' | 'reply' | 'ttl-expired';

export interface BrokerOutcome {
  kind: OutcomeKind;
  /** `namespace/name` of the broker. */
  broker: string;
  /** `namespace/name` of the Trigger, for delivery outcomes. */
  trigger?: string;
  id?: string;
  type?: string;
  source?: string;
  /** Attempts made so far (delivery outcomes). */
  attempts?: number;
  /** Last HTTP status, when there was one. */
  status?: number;
  reason?: string;
  /** The URL delivered to (subscriber or dead-letter sink). */
  url?: string;
  /** For `retry`: the wait before the next attempt. */
  delayMs?: number;
  /** The event's TTL, for `accepted`, `reply` and `ttl-expired`. */
  ttl?: number;
}

export interface TriggerStats {
  matched: number;
  delivered: number;
  retried: number;
  deadLettered: number;
  dropped: number;
}

export interface BrokerStats {
  accepted: number;
  rejected: number;
  unrouted: number;
  delivered: number;
  retried: number;
  deadLettered: number;
  dropped: number;
  replies: number;
  ttlExpired: number;
  /** Deliveries not yet finished (in flight, waiting for a retry). */
  pending: number;
  triggers: Record<string, TriggerStats>;
}

export type OutcomeListener = (outcome: BrokerOutcome) => void;

const LEVEL: Record<OutcomeKind, 'debug' | 'info' | 'warn' | 'error'> = {
  accepted: 'debug',
  rejected: 'warn',
  unrouted: 'debug',
  retry: 'info',
  delivered: 'debug',
  'dead-lettered': 'warn',
  dropped: 'error',
  reply: 'debug',
  'ttl-expired': 'warn'
};

const TOTAL: Partial<Record<OutcomeKind, Exclude<keyof BrokerStats, 'triggers' | 'pending'>>> = {
  accepted: 'accepted',
  rejected: 'rejected',
  unrouted: 'unrouted',
  retry: 'retried',
  delivered: 'delivered',
  'dead-lettered': 'deadLettered',
  dropped: 'dropped',
  reply: 'replies',
  'ttl-expired': 'ttlExpired'
};

const PER_TRIGGER: Partial<Record<OutcomeKind, keyof TriggerStats>> = {
  retry: 'retried',
  delivered: 'delivered',
  'dead-lettered': 'deadLettered',
  dropped: 'dropped'
};

export class BrokerObserver {
  private readonly emitter = new EventEmitter();
  private readonly totals: Omit<BrokerStats, 'triggers' | 'pending'> = {
    accepted: 0,
    rejected: 0,
    unrouted: 0,
    delivered: 0,
    retried: 0,
    deadLettered: 0,
    dropped: 0,
    replies: 0,
    ttlExpired: 0
  };
  private readonly triggers = new Map<string, TriggerStats>();

  constructor(private readonly log: Logger) {
    this.emitter.setMaxListeners(0);
  }

  on(kind: OutcomeKind | 'outcome', listener: OutcomeListener): void {
    this.emitter.on(kind, listener);
  }

  off(kind: OutcomeKind | 'outcome', listener: OutcomeListener): void {
    this.emitter.off(kind, listener);
  }

  /** Counts a Trigger's match (the start of one delivery). */
  matched(trigger: string): void {
    this.triggerStats(trigger).matched++;
  }

  record(outcome: BrokerOutcome, event?: CloudEventRecord): void {
    const total = TOTAL[outcome.kind];
    if (total) this.totals[total]++;
    const per = PER_TRIGGER[outcome.kind];
    if (per && outcome.trigger) this.triggerStats(outcome.trigger)[per]++;
    const kind = outcome.kind;
    const level = LEVEL[kind];
    if (this.log.isLevelEnabled(level)) {
      const { kind: _kind, ...fields } = outcome;
      this.log[level]({ ...fields, correlationid: event?.correlationid, causationid: event?.causationid }, kind);
    }
    for (const name of [kind, 'outcome'] as const) {
      try {
        this.emitter.emit(name, outcome);
      } catch (err) {
        this.log.error({ err, kind }, 'broker outcome listener threw');
      }
    }
  }

  stats(pending: number): BrokerStats {
    const triggers = Object.fromEntries([...this.triggers].map(([k, v]) => [k, { ...v }]));
    return { ...this.totals, pending, triggers };
  }

  private triggerStats(key: string): TriggerStats {
    let s = this.triggers.get(key);
    if (!s) {
      s = { matched: 0, delivered: 0, retried: 0, deadLettered: 0, dropped: 0 };
      this.triggers.set(key, s);
    }
    return s;
  }
}
