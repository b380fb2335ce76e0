import { Events } from '../../shared/events/catalog.js';
import { defineFunction } from '../../shared/runtime/define-function.js';
import { classify } from './rules.js';

/** Validates and classifies failure reports; a healable one becomes a healing request for its target. */
export default defineFunction({
  name: 'error-intake',
  description: 'Classifies dev.cortex.error.reported and asks for a healing when a cluster workload is at fault.',
  on: [Events.ErrorReported],
  emits: [Events.HealingRequested],
  async handle(event, { log }) {
    const { category, target, sessionId, occurredAt, message, component } = event.data;
    const verdict = classify(category, target);
    if (!verdict.heal) {
      log.info({ category, component, reportId: event.id, reason: verdict.reason }, 'report recorded, nothing to heal');
      return [];
    }
    return [
      Events.HealingRequested.intent({
        target: verdict.target,
        category,
        reportIds: [event.id],
        sessionIds: sessionId ? [sessionId] : [],
        occurredAt,
        message
      })
    ];
  }
});
