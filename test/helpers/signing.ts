import type { KeyName } from '../../shared/runtime/define-function.js';
import { KEY_ENV } from '../../shared/runtime/env-security.js';
import { createSigner, type Signature } from '../../shared/trust/signature.js';
import type { EventDef } from '../../shared/events/define.js';
import { STREAMED } from '../../functions/sse-relay/mapping.js';

/** Signing keys for tests: one per Secret, 64 characters each. */
export const TEST_KEYS: Readonly<Record<KeyName, string>> = {
  diagnosis: 'd1'.repeat(32),
  remediation: 'r1'.repeat(32),
  stream: 's1'.repeat(32),
  approval: 'a1'.repeat(32)
};

/** The keys as a function's environment (every one of them: tests do not model which Secrets a Service mounts). */
export const TEST_KEY_ENV: Readonly<Record<string, string>> = Object.fromEntries(
  (Object.keys(TEST_KEYS) as KeyName[]).map((k) => [KEY_ENV[k], TEST_KEYS[k]])
);

/**
 * `data` signed as the coordinator (or a check, a remediation) would sign it, valid for `ttlMs` (default 5 minutes).
 *
 * @example
 * signed('remediation', 'dev.cortex.remediation.scale_up.requested', { healingId: 'h-1', target, params: {}, dryRun: false });
 */
export function signed<T extends Record<string, unknown>>(
  key: KeyName | string,
  type: string,
  data: T,
  opts: { ttlMs?: number; now?: Date } = {}
): T & { signature: Signature } {
  const secret = key in TEST_KEYS ? TEST_KEYS[key as KeyName] : key;
  const now = opts.now ?? new Date();
  return createSigner([secret]).sign(type, data, new Date(now.getTime() + (opts.ttlMs ?? 5 * 60_000)));
}

/**
 * Data as the coordinator (or the chat) sends a type a browser's stream shows: parsed by its schema, then signed with
 * the stream key, so the relay takes it. Other types, and data that does not parse, go as given.
 *
 * @example
 * await postEvent(relay.url, cloudEvent(Events.HealingStarted, asSent(Events.HealingStarted, started('h-1', [s]))));
 */
export function asSent(def: EventDef, data: unknown): unknown {
  const parsed = def.data.safeParse(data);
  if (!parsed.success || !(STREAMED as readonly EventDef[]).includes(def)) return data;
  return signed('stream', def.type, parsed.data as Record<string, unknown>);
}
