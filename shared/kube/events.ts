import type { KubeEvent } from './port.js';

/*
 * Reading core/v1 Events: when they happened. Events carry their time in one of several fields depending on who wrote
 * them (events.k8s.io series, the legacy aggregated count), so every reader goes through here.
 */

const toMs = (t: Date | string | undefined | null): number | undefined => {
  if (t === undefined || t === null) return undefined;
  const ms = new Date(t).getTime();
  return Number.isNaN(ms) ? undefined : ms;
};

/**
 * When an event last happened: lastTimestamp, else eventTime, the series' last observation, firstTimestamp, creation.
 *
 * @example
 * lastSeen({ lastTimestamp: '2026-11-27T10:00:00Z' } as KubeEvent); // → 1795773600000
 */
export function lastSeen(e: KubeEvent): number | undefined {
  return (
    toMs(e.lastTimestamp) ??
    toMs(e.eventTime) ??
    toMs(e.series?.lastObservedTime) ??
    toMs(e.firstTimestamp) ??
    toMs(e.metadata?.creationTimestamp)
  );
}
