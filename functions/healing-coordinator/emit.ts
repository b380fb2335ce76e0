import { Events } from '../../shared/events/catalog.js';
import type { Intent } from '../../shared/events/define.js';
import type { Healing } from './state.js';

/** ISO-8601 of a time, optionally moved by `plusMs`. */
export const iso = (d: Date, plusMs = 0): string => new Date(d.getTime() + plusMs).toISOString();

/** A healing.progress intent of one healing. */
export const progress = (
  h: Healing,
  stage: string,
  message: string,
  done: number,
  total: number,
  extra: Record<string, unknown> = {}
): Intent => Events.HealingProgress.intent({ healingId: h.id, stage, message, done, total, target: h.target, ...extra });
