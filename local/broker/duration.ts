/*
 * ISO-8601 durations as Knative's delivery spec writes them (`PT0.2S`, `PT30S`, `PT1M`, `P1D`). Knative parses them
 * with rickb777/date `period.Parse`; we accept the same shapes that have a fixed length in time: weeks, days, hours,
 * minutes and seconds, each with an optional fraction. Years and months have no fixed length and are rejected.
 */

const DURATION =
  /^P(?:(\d+(?:[.,]\d+)?)W)?(?:(\d+(?:[.,]\d+)?)D)?(?:T(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/;

const UNIT_MS = [7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000];

/**
 * Parses an ISO-8601 duration into milliseconds, or returns undefined when it is not one.
 *
 * @example
 * parseDuration('PT0.2S'); // → 200
 * parseDuration('P1DT1H'); // → 90_000_000
 */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text.trim().toUpperCase());
  if (!m) return undefined;
  const parts = m.slice(1);
  // "P" and "PT" alone match the pattern but name no amount.
  if (parts.every((p) => p === undefined)) return undefined;
  if (/T$/i.test(text.trim())) return undefined;
  let ms = 0;
  parts.forEach((p, i) => {
    if (p !== undefined) ms += Number(p.replace(',', '.')) * UNIT_MS[i]!;
  });
  return Math.round(ms);
}
