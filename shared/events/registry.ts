import type { AnyEventDef } from './define.js';
import { ACTIONS } from './schemas.js';
import {
  ApprovalDecided,
  ApprovalRequested,
  ChatDelayed,
  DiagnosisCompleted,
  DiagnosisRequested,
  ErrorReported,
  HealingCompleted,
  HealingExplained,
  HealingFailed,
  HealingProgress,
  HealingRequested,
  HealingStarted,
  PingTick,
  RemediationCompleted,
  RemediationRequested,
  VerificationRequested
} from './catalog.js';

/*
 * The catalog as a list and a lookup by type: what the README, routing and validation read.
 */

/** Every catalog entry, in the order the README lists them. */
export const CATALOG: readonly AnyEventDef[] = Object.freeze([
  ErrorReported,
  HealingRequested,
  HealingStarted,
  DiagnosisRequested,
  VerificationRequested,
  DiagnosisCompleted,
  HealingProgress,
  ...ACTIONS.map((a) => RemediationRequested[a]),
  RemediationCompleted,
  ApprovalRequested,
  ApprovalDecided,
  HealingCompleted,
  HealingFailed,
  HealingExplained,
  ChatDelayed,
  PingTick
]);

/** Our own types (`dev.cortex.*`); PingTick is Knative's. */
export const CORTEX_TYPE_PREFIX = 'dev.cortex.';

const byType = new Map<string, AnyEventDef>(CATALOG.map((d) => [d.type, d]));

/** The catalog entry for a type, or undefined when the type is unknown. */
export function eventDef(type: string): AnyEventDef | undefined {
  return byType.get(type);
}
