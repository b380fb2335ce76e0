import { Events } from '../../shared/events/catalog.js';
import { defineFunction, type AnyFunctionDef } from '../../shared/runtime/define-function.js';
import { SIGNED_HEALING_EVENTS } from '../../shared/history/record.js';
import { createExplainer } from './claude.js';
import { onHealingEvent } from './explain.js';

/**
 * explain-healing (DESIGN §13): follows each healing (start, findings, actions) and, when it ends, explains it in
 * plain words from a redacted brief: with Claude (one call per healing, max_tokens capped, an hourly budget), or from
 * the findings alone (`model: "none"`) when the budget is spent or Claude fails. Never nothing.
 */
export default defineFunction({
  name: 'explain-healing',
  description:
    'Explains each healing outcome in plain words (Claude, from a redacted brief; the findings alone past the budget).',
  on: [
    Events.HealingStarted,
    Events.DiagnosisCompleted,
    Events.RemediationCompleted,
    Events.HealingCompleted,
    Events.HealingFailed
  ],
  emits: [Events.HealingExplained],
  // The outcomes it explains must be the coordinator's (a forged one would be explained, and signed, for the page);
  // its explanation is signed for the relay like the coordinator's healing events.
  trust: {
    verify: [{ types: SIGNED_HEALING_EVENTS, key: 'stream', refuse: 'ignore' }],
    sign: [{ types: [Events.HealingExplained], key: 'stream', ttlMs: 10 * 60_000 }]
  },
  // A healing's events until its outcome, and the hour's budget: in the Store (Redis when configured).
  sharedState: 'redis',
  knative: {
    minScale: 0,
    maxScale: 4,
    scaleReason: 'Event-driven; what it keeps (a healing until its outcome, the hourly budget) is on Redis when configured.',
    memory: { request: '64Mi', limit: '256Mi' },
    secrets: ['cortex-anthropic']
  },
  setup: ({ config, store, clock, log }) => ({
    store,
    log,
    now: () => clock.now().getTime(),
    model: config.explain.model,
    hourlyBudget: config.explain.hourlyBudget,
    explain: createExplainer({
      apiKey: config.llm.apiKey,
      baseUrl: config.llm.baseUrl,
      model: config.explain.model,
      maxTokens: config.explain.maxTokens,
      timeoutMs: config.llm.timeoutMs
    })
  }),
  handle: (event, { deps }) => onHealingEvent(deps, event)
}) satisfies AnyFunctionDef;
