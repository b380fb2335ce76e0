import { type z } from 'zod';

/** An event a function asks the runtime to publish: a catalog type and its data, nothing else. */
export interface Intent<T extends string = string, D = unknown> {
  readonly type: T;
  readonly data: D;
}

/** One entry of the event catalog: the type string, what it means, and the schema of its data. */
export interface EventDef<T extends string = string, S extends z.ZodType = z.ZodType> {
  readonly type: T;
  readonly description: string;
  readonly data: S;
  /** Builds an intent of this type; data is typed by the schema and validated again by the runtime. */
  intent(data: z.input<S>): Intent<T, z.output<S>>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyEventDef = EventDef<string, any>;

/** The data type of a catalog entry. */
export type DataOf<D> = D extends EventDef<string, infer S> ? z.output<S> : never;

/**
 * Declares a catalog entry.
 *
 * @example
 * export const ChatDelayed = defineEvent({
 *   type: 'dev.cortex.chat.delayed',
 *   description: 'The Claude API asked us to wait; the chat retries.',
 *   data: z.looseObject({ sessionId: z.string(), reason: z.string(), attempt: z.number(), retryInMs: z.number() })
 * });
 */
export function defineEvent<T extends string, S extends z.ZodType>(def: {
  type: T;
  description: string;
  data: S;
}): EventDef<T, S> {
  return Object.freeze({
    ...def,
    intent: (data: z.input<S>): Intent<T, z.output<S>> => ({ type: def.type, data: data as z.output<S> })
  });
}
