import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { Events } from '../events/catalog.js';
import { eventDef } from '../events/registry.js';
import type { CloudEventRecord } from '../events/http.js';
import type { FunctionGauge } from './define-function.js';
import { observeHealings } from './healing-metrics.js';

/*
 * What the runtime sees of one function, as Prometheus metrics on `GET /metrics`. Each served function has its own
 * Registry, so several functions in one process (the local stack) never share or collide. Label values are bounded:
 * an event type is a catalog type or "unknown", an outcome one of four words, a status a class ("2xx").
 */

/** What became of one delivery to `POST /`. */
export type ReceivedOutcome = 'handled' | 'duplicate' | 'rejected' | 'failed';

/** The HTTP surfaces of a function, for the status-class counter. */
export type Handler = 'event' | 'route' | 'health' | 'metrics';

export interface Delivery {
  /** The `type` attribute, when the request got far enough to have one. */
  type: string | undefined;
  /** `source` + `id`, when known: a broker retry of the same event is recognised by it. */
  key: string | undefined;
  outcome: ReceivedOutcome;
  seconds: number;
}

export interface FunctionMetrics {
  /** This function's own series. */
  readonly registry: Registry;
  /** The exposition `GET /metrics` serves: the function's series and the process's (CPU, memory, event loop, GC). */
  text(): Promise<string>;
  delivery(d: Delivery): void;
  /** An event this function published (counted once the sink accepted it). */
  emitted(event: CloudEventRecord): void;
  response(handler: Handler, status: number): void;
  /** Exposes a function's own gauge (read when scraped). */
  gauge(g: FunctionGauge): void;
}

/** Deliveries that failed, remembered so that their broker retry is counted as one. */
const MAX_FAILED_KEYS = 10_000;

/**
 * Process metrics (prom-client's defaults) are collected once per process, whatever the number of functions served
 * in it, and exposed by each of them: their event-loop and GC observers are set up once.
 */
let processRegistry: Registry | undefined;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

const typeLabel = (type: string | undefined): string => (type !== undefined && eventDef(type) ? type : 'unknown');

/**
 * The outcome an error answered to a delivery stands for: a 4xx the broker does not retry is a rejection; an event
 * that is being handled right now (409 in progress) is a duplicate; anything retried is a failure.
 *
 * @example
 * outcomeOfError(400, 'invalid_event'); // → 'rejected'
 * outcomeOfError(503, 'transient'); // → 'failed'
 */
export function outcomeOfError(status: number, code: string | undefined): ReceivedOutcome {
  if (code === 'in_progress') return 'duplicate';
  return status >= 400 && status < 500 && ![404, 408, 409, 429].includes(status) ? 'rejected' : 'failed';
}

/**
 * The metrics of one served function. Functions that emit healing outcomes (the coordinator) also get the healing
 * counters and the time-to-heal histogram, derived from what they emit: no metrics code in the saga.
 *
 * @example
 * const metrics = createFunctionMetrics({ name: 'error-intake', emits: ['dev.cortex.healing.requested'] });
 * metrics.delivery({ type: 'dev.cortex.error.reported', key, outcome: 'handled', seconds: 0.004 });
 * const text = await metrics.registry.metrics();
 */
export function createFunctionMetrics(
  def: { name: string; emits: readonly string[] },
  opts: { processMetrics?: boolean } = {}
): FunctionMetrics {
  const registry = new Registry();
  const exposed = opts.processMetrics === false ? [registry] : [processMetrics(), registry];
  const received = new Counter({
    name: 'cortex_events_received_total',
    help: 'CloudEvents delivered to this function, by type and outcome (handled, duplicate, rejected, failed).',
    labelNames: ['type', 'outcome'],
    registers: [registry]
  });
  const emitted = new Counter({
    name: 'cortex_events_emitted_total',
    help: 'CloudEvents this function published to the broker, by type.',
    labelNames: ['type'],
    registers: [registry]
  });
  const duration = new Histogram({
    name: 'cortex_handler_duration_seconds',
    help: 'Time to handle one delivery (handler and publishing its events), by type.',
    labelNames: ['type'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry]
  });
  const redeliveries = new Counter({
    name: 'cortex_redeliveries_total',
    help: 'Deliveries of an event seen before: a broker retry after a failure, or a duplicate.',
    labelNames: ['type'],
    registers: [registry]
  });
  const responses = new Counter({
    name: 'cortex_http_responses_total',
    help: 'HTTP responses by surface (event, route, health, metrics) and status class.',
    labelNames: ['handler', 'class'],
    registers: [registry]
  });
  const outcomes: readonly string[] = [Events.HealingStarted.type, Events.HealingCompleted.type, Events.HealingFailed.type];
  const healings = def.emits.some((t) => outcomes.includes(t)) ? observeHealings(registry) : undefined;
  const failedKeys = new Map<string, true>();

  return {
    registry,
    text: () => Registry.merge(exposed).metrics(),
    delivery({ type, key, outcome, seconds }) {
      const t = typeLabel(type);
      received.inc({ type: t, outcome });
      const retried = key !== undefined && failedKeys.delete(key);
      if (outcome === 'duplicate' || retried) redeliveries.inc({ type: t });
      if (outcome === 'failed' && key !== undefined) {
        failedKeys.set(key, true);
        if (failedKeys.size > MAX_FAILED_KEYS) failedKeys.delete(failedKeys.keys().next().value!);
      }
      if (outcome === 'handled' || outcome === 'failed') duration.observe({ type: t }, seconds);
    },
    emitted(event) {
      emitted.inc({ type: typeLabel(event.type) });
      healings?.(event);
    },
    response(handler, status) {
      responses.inc({ handler, class: `${Math.floor(status / 100)}xx` });
    },
    gauge(g) {
      new Gauge({
        name: g.name,
        help: g.help,
        labelNames: [...g.labelNames],
        registers: [registry],
        collect() {
          this.reset();
          for (const { labels, value } of g.read()) this.set(labels, value);
        }
      });
    }
  };
}
