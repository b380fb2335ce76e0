import * as z from 'zod';
import type { HealingRecord } from '../../shared/history/record.js';
import { redactDeep } from '../../shared/redact/redact.js';
import type { HistoryFilter } from './repo.js';

/*
 * The filters of `GET /healings` and of the MCP tool `list_healings`, parsed once for both, and what a healing looks
 * like to a reader: always redacted, since what a tool returns ends up in a model's context.
 */

const DURATION = /^(\d+)\s*(m|h|d)$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `since`: an RFC 3339 time, or how long ago (`30m`, `24h`, `7d`). */
export function parseSince(since: string, now: number): number | undefined {
  const rel = DURATION.exec(since.trim());
  if (rel) return now - Number(rel[1]) * UNIT_MS[rel[2] as keyof typeof UNIT_MS];
  const at = z.iso.datetime({ offset: true }).safeParse(since);
  return at.success ? Date.parse(at.data) : undefined;
}

export const FilterInput = z.object({
  target: z
    .string()
    .regex(/^([a-z0-9-]{1,63}\/)?[a-z0-9-]{1,63}$/, 'target is <namespace>/<service> or <service>')
    .optional(),
  since: z.string().max(64).optional().describe('RFC 3339 time, or how long ago: 30m, 24h, 7d'),
  outcome: z.enum(['healed', 'failed', 'running']).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional()
});
export type FilterInput = z.infer<typeof FilterInput>;

/** The filter, or the reason it is not one. */
export function filterOf(input: unknown, now: number): { filter: HistoryFilter } | { error: string } {
  const parsed = FilterInput.safeParse(input);
  if (!parsed.success) return { error: z.prettifyError(parsed.error) };
  const { since, ...rest } = parsed.data;
  const sinceMs = since === undefined ? undefined : parseSince(since, now);
  if (since !== undefined && sinceMs === undefined)
    return { error: `since="${since}" is not a time (RFC 3339) nor 30m/24h/7d` };
  return { filter: { ...rest, since: sinceMs } };
}

/** One line of a listing: what the History view's table shows. */
export function summaryOf(r: HealingRecord) {
  return {
    healingId: r.healingId,
    target: r.target ? `${r.target.namespace}/${r.target.service}` : null,
    reason: r.reason,
    outcome: r.outcome,
    reasonCode: r.reasonCode ?? null,
    startedAt: r.startedAt ?? null,
    endedAt: r.endedAt ?? null,
    timeToHealMs: r.durationMs ?? null,
    actions: r.actions.map((a) => `${a.action}:${a.outcome}`),
    explanation: r.explanation?.summary ?? null
  };
}

/** What a reader gets, redacted. */
export const redacted = <T>(value: T): T => redactDeep(value).value;
