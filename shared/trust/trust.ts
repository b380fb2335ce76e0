import { eventDef } from '../events/registry.js';
import type { AnyEventDef } from '../events/define.js';
import type { Clock } from '../runtime/clock.js';
import type { AnyFunctionDef, CortexEvent, KeyName, SignRule, VerifyRule } from '../runtime/define-function.js';
import type { Store } from '../runtime/store.js';
import { createReplayGuard } from './replay.js';
import { CLOCK_LEEWAY_MS, createSigner, type Refusal, type Signer } from './signature.js';

/*
 * What the runtime does with a function's trust spec (FunctionDef.trust): verifies inbound events of the types it
 * names (signature, expiry, single use) before `handle` sees them, and signs outbound ones after `handle` returned
 * them. The handler stays pure and only ever sees authentic events; a refusal never reaches it.
 */

/** An inbound event the function's rules refused, and the rule that says what to answer. */
export interface Refused {
  readonly rule: VerifyRule;
  readonly refusal: Refusal;
}

export interface Trust {
  /** Undefined when the event may be handled (no rule for its type, or a valid signature on its first use). */
  inbound(event: CortexEvent): Promise<Refused | undefined>;
  /** `data` signed when the function signs events of `type`; otherwise as given. */
  seal(type: string, data: Record<string, unknown>): Record<string, unknown>;
}

/** Requests expire with their phase deadline when they carry one, else after this long. */
export const DEFAULT_SIGNATURE_TTL_MS = 5 * 60_000;

const ruleFor = <R extends { types: readonly AnyEventDef[] }>(
  rules: readonly R[] | undefined,
  type: string
): R | undefined => {
  const def = eventDef(type);
  return def ? rules?.find((r) => r.types.includes(def)) : undefined;
};

/**
 * The keys a function's rules name that the configuration lacks: the function must not start without them. A process
 * that takes no deliveries (`verifies: false`, the public half of a split function) needs only its signing keys.
 */
export function missingKeys(
  def: AnyFunctionDef,
  keys: Partial<Record<KeyName, readonly string[]>>,
  { verifies = true }: { verifies?: boolean } = {}
): KeyName[] {
  const rules = [...(verifies ? (def.trust?.verify ?? []) : []), ...(def.trust?.sign ?? [])];
  return [...new Set(rules.map((r) => r.key))].filter((k) => !keys[k]?.length);
}

function expiryOf(rule: SignRule, data: Record<string, unknown>, now: Date): Date {
  const deadline = typeof data.deadline === 'string' ? new Date(data.deadline) : undefined;
  if (deadline && !Number.isNaN(deadline.getTime())) return deadline;
  return new Date(now.getTime() + (rule.ttlMs ?? DEFAULT_SIGNATURE_TTL_MS));
}

/**
 * The trust of one served function, or undefined when its definition has no trust spec. Every key its rules name
 * must be configured (see missingKeys).
 *
 * @example
 * const trust = createTrust(def, config.security.keys, { store, clock });
 * const refused = await trust?.inbound(event); // → { rule, refusal: { code: 'forged', reason } } or undefined
 */
export function createTrust(
  def: AnyFunctionDef,
  keys: Partial<Record<KeyName, readonly string[]>>,
  deps: { store: Store; clock: Clock }
): Trust | undefined {
  if (!def.trust) return undefined;
  const signers = new Map<KeyName, Signer>();
  const signer = (key: KeyName): Signer => {
    let s = signers.get(key);
    if (!s) signers.set(key, (s = createSigner(keys[key] ?? [])));
    return s;
  };
  const guard = createReplayGuard(deps.store);
  const { verify, sign } = def.trust;

  return {
    async inbound(event) {
      const rule = ruleFor(verify, event.type);
      if (!rule) return undefined;
      const now = deps.clock.now();
      // A dead letter is our own request coming back: what matters is that it is ours, not whether it is still fresh.
      const verdict = signer(rule.key).verify(event.type, event.data, now, { ignoreExpiry: !!event.deadLetter });
      if (!verdict.ok) return { rule, refusal: { code: verdict.code, reason: verdict.reason } };
      if (!rule.once || event.deadLetter) return undefined;
      const name = `${def.name}:${event.type}:${rule.once(event.data)}`;
      const until = new Date(verdict.expiresAt.getTime() + 2 * CLOCK_LEEWAY_MS);
      const claim = await guard.claim(name, `${event.source} ${event.id}`, until, now);
      if (claim !== 'replayed') return undefined;
      return {
        rule,
        refusal: { code: 'replayed', reason: `${event.type} ${rule.once(event.data)} was already used by another event` }
      };
    },
    seal(type, data) {
      const rule = ruleFor(sign, type);
      return rule ? signer(rule.key).sign(type, data, expiryOf(rule, data, deps.clock.now())) : data;
    }
  };
}
