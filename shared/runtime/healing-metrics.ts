import { Counter, Histogram, type Registry } from 'prom-client';
import { Events } from '../events/catalog.js';
import { REASON_CODES, ReasonCode } from '../events/schemas.js';
import type { CloudEventRecord } from '../events/http.js';

/*
 * Healing metrics of the coordinator, derived from the outcome events it publishes, so the saga stays free of
 * metrics code. A failed healing is labelled with its `reasonCode` (a catalog enum), never with the prose `reason`.
 */

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
    help: `Healing runs that ended without a fix, by reason code (${REASON_CODES.join(', ')}).`,
    labelNames: ['reason'],
    registers: [registry]
  });
  const timeToHeal = new Histogram({
    name: 'cortex_time_to_heal_seconds',
    help: 'From the start of a healing run to the target verified healthy.',
    buckets: [1, 2, 5, 10, 15, 30, 60, 120, 300, 600],
    registers: [registry]
  });
  for (const reason of REASON_CODES) failed.inc({ reason }, 0);
  const counted = new Set<string>();

  return (event) => {
    const data = (event.data ?? {}) as { durationMs?: unknown; reasonCode?: unknown };
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
    } else {
      // Emitted events passed the catalog schema, so the code is one of REASON_CODES.
      const code = ReasonCode.safeParse(data.reasonCode);
      if (code.success) failed.inc({ reason: code.data });
    }
  };
}
