import { Counter, Histogram, type Registry } from 'prom-client';
import { Events } from '../events/catalog.js';
import type { CloudEventRecord } from '../events/http.js';

/*
 * Healing metrics of the coordinator, derived from the outcome events it publishes, so the saga stays free of
 * metrics code. A healing.failed `reason` is free text for people; the label is one of a few fixed words read from
 * how the saga phrases each kind of failure (see failureReason), "other" for anything new.
 */

export const FAILURE_REASONS = [
  'escalated',
  'undiagnosed',
  'manual',
  'denied',
  'remediation_failed',
  'unhealthy',
  'other'
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

/**
 * The bounded label for a healing.failed reason.
 *
 * @example
 * failureReason('repeated failures: 3 healings of demo/api in the last 15 min; escalated to a human'); // → 'escalated'
 * failureReason('scale_up denied: demo/api is not labelled cortex.dev/self-heal=enabled'); // → 'denied'
 */
export function failureReason(reason: string): FailureReason {
  if (/^repeated failures\b/.test(reason)) return 'escalated';
  if (/^could not diagnose\b/.test(reason)) return 'undiagnosed';
  if (/^diagnosed, but no automatic fix applies\b/.test(reason)) return 'manual';
  if (/^still unhealthy after\b/.test(reason)) return 'unhealthy';
  const blocking = /^[a-z_]+ (manual|denied|failed): /.exec(reason)?.[1];
  if (blocking === 'manual' || blocking === 'denied') return blocking;
  if (blocking === 'failed') return 'remediation_failed';
  return 'other';
}

/** Outcome events already counted: a republish after a failed delivery carries the same deterministic id. */
const MAX_COUNTED = 2_000;

/**
 * Registers the healing metrics; the returned observer is fed every event the function published.
 *
 * @example
 * const observe = observeHealings(registry);
 * observe(publishedEvent); // counts healing.started / completed / failed, once per event id
 */
export function observeHealings(registry: Registry): (event: CloudEventRecord) => void {
  const started = new Counter({
    name: 'cortex_healings_started_total',
    help: 'Healing runs started.',
    registers: [registry]
  });
  const completed = new Counter({
    name: 'cortex_healings_completed_total',
    help: 'Healing runs that ended with the target healthy.',
    registers: [registry]
  });
  const failed = new Counter({
    name: 'cortex_healings_failed_total',
    help: `Healing runs that ended without a fix, by reason (${FAILURE_REASONS.join(', ')}).`,
    labelNames: ['reason'],
    registers: [registry]
  });
  const timeToHeal = new Histogram({
    name: 'cortex_time_to_heal_seconds',
    help: 'From the start of a healing run to the target verified healthy.',
    buckets: [1, 2, 5, 10, 15, 30, 60, 120, 300, 600],
    registers: [registry]
  });
  for (const reason of FAILURE_REASONS) failed.inc({ reason }, 0);
  const counted = new Set<string>();

  return (event) => {
    const data = (event.data ?? {}) as { durationMs?: unknown; reason?: unknown };
    const kind =
      event.type === Events.HealingStarted.type
        ? 'started'
        : event.type === Events.HealingCompleted.type
          ? 'completed'
          : event.type === Events.HealingFailed.type
            ? 'failed'
            : undefined;
    if (!kind || counted.has(event.id)) return;
    counted.add(event.id);
    if (counted.size > MAX_COUNTED) counted.delete(counted.values().next().value!);
    if (kind === 'started') started.inc();
    else if (kind === 'completed') {
      completed.inc();
      if (typeof data.durationMs === 'number') timeToHeal.observe(data.durationMs / 1000);
    } else failed.inc({ reason: failureReason(typeof data.reason === 'string' ? data.reason : '') });
  };
}
