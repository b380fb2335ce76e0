import { Events } from '../../shared/events/catalog.js';
import type { Intent } from '../../shared/events/define.js';
import { foldHealing, type FoldableEvent, type HealingRecord } from '../../shared/history/record.js';
import type { Logger } from '../../shared/runtime/logging.js';
import type { Store } from '../../shared/runtime/store.js';
import { briefOf } from './brief.js';
import { takeFromBudget } from './budget.js';
import type { Explainer } from './claude.js';
import { explainFromFindings, type Explained } from './fallback.js';

/*
 * What explain-healing does with one event: fold it into the healing's record (kept an hour, in the Store) and, on the
 * outcome, explain the healing once: with Claude while the hourly budget lasts, else from the findings alone.
 */

/** How long a healing's events are kept waiting for its outcome. */
const KEEP_MS = 60 * 60_000;

interface Kept {
  record: HealingRecord;
  explained: boolean;
}

export interface ExplainDeps {
  store: Store;
  explain: Explainer;
  model: string;
  hourlyBudget: number;
  now: () => number;
  log: Logger;
}

const isOutcome = (type: string): boolean => type === Events.HealingCompleted.type || type === Events.HealingFailed.type;

/**
 * Folds the event in; on a healing's first outcome, returns its `healing.explained`.
 *
 * @example
 * const intents = await onHealingEvent(deps, event);
 */
export async function onHealingEvent(deps: ExplainDeps, event: FoldableEvent): Promise<Intent[]> {
  const healingId = String((event.data as { healingId?: unknown }).healingId ?? '');
  if (!healingId) return [];
  // The record, and whether this event is the one that gets to explain it (the first outcome only).
  const { record, explainNow } = await deps.store.transact<Kept, { record: HealingRecord; explainNow: boolean }>(
    `healing:${healingId}`,
    (kept) => {
      const record = foldHealing(kept?.record, event);
      const explainNow = isOutcome(event.type) && !kept?.explained;
      return {
        value: { record, explained: (kept?.explained ?? false) || explainNow },
        result: { record, explainNow },
        ttlMs: KEEP_MS
      };
    }
  );
  if (!explainNow || !record.target) return [];
  const { brief, redactions } = briefOf(record);
  let explained: Explained | undefined;
  let model = 'none';
  if (await takeFromBudget(deps.store, deps.now(), deps.hourlyBudget)) {
    try {
      explained = await deps.explain(brief);
      model = deps.model;
    } catch (err) {
      deps.log.warn(
        { healingId, err: err instanceof Error ? err.message : String(err) },
        'Claude did not explain; writing from the findings'
      );
    }
  } else deps.log.info({ healingId }, 'explanation budget spent this hour; writing from the findings');
  const { summary, nextStep } = explained ?? explainFromFindings(brief);
  const sessionIds = (event.data as { sessionIds?: string[] }).sessionIds;
  return [
    Events.HealingExplained.intent({
      healingId,
      target: record.target,
      summary,
      nextStep,
      model,
      redactions,
      outcome: brief.outcome,
      ...(sessionIds && sessionIds.length > 0 ? { sessionIds } : {})
    })
  ];
}
