import * as z from 'zod';
import { parseDuration } from './duration.js';

/*
 * The parts of Knative's Broker and Trigger (eventing.knative.dev/v1) that the local broker acts on, as zod schemas:
 * the loader validates the YAML once, and everything downstream works on these types. Unknown fields are kept
 * (loose objects), as the API server would keep them; what we cannot honour is rejected with the field's path.
 */

export const EVENTING_API_VERSION = 'eventing.knative.dev/v1';

const duration = () =>
  z.string().refine((s) => parseDuration(s) !== undefined, {
    message: 'not an ISO-8601 duration (e.g. PT0.2S, PT30S, PT1M, P1D)'
  });

export const KReference = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().min(1),
  name: z.string().min(1),
  namespace: z.string().optional()
});
export type KReference = z.infer<typeof KReference>;

function isAbsoluteUrl(s: string): boolean {
  return URL.canParse(s) && /^https?:$/.test(new URL(s).protocol);
}

/** A Knative Destination: a `ref`, a `uri`, or both (then `uri` is resolved relative to the ref's URL). */
export const Destination = z
  .looseObject({ ref: KReference.optional(), uri: z.string().min(1).optional() })
  .refine((d) => d.ref !== undefined || d.uri !== undefined, { message: 'a destination needs a ref or a uri' })
  .refine((d) => d.ref !== undefined || d.uri === undefined || isAbsoluteUrl(d.uri), {
    message: 'a uri without a ref must be an absolute http(s) URL'
  });
export type Destination = z.infer<typeof Destination>;

export const DeliverySpec = z.looseObject({
  retry: z.number().int().nonnegative().optional(),
  backoffPolicy: z.enum(['exponential', 'linear']).optional(),
  backoffDelay: duration().optional(),
  timeout: duration()
    .refine((s) => parseDuration(s)! > 0, { message: 'must be greater than zero' })
    .optional(),
  retryAfterMax: duration().optional(),
  format: z.enum(['json', 'binary']).optional(),
  deadLetterSink: Destination.optional()
});
export type DeliverySpec = z.infer<typeof DeliverySpec>;

/** One expression of `spec.filters` (the CloudEvents Subscriptions API dialects). */
export interface FilterExpression {
  exact?: Record<string, string>;
  prefix?: Record<string, string>;
  suffix?: Record<string, string>;
  all?: FilterExpression[];
  any?: FilterExpression[];
  not?: FilterExpression;
  cesql?: string;
}

const attributeMap = z.record(z.string().min(1), z.string());

export const FilterExpression: z.ZodType<FilterExpression> = z.lazy(() =>
  z
    .strictObject({
      exact: attributeMap.optional(),
      prefix: attributeMap.optional(),
      suffix: attributeMap.optional(),
      all: z.array(FilterExpression).optional(),
      any: z.array(FilterExpression).optional(),
      not: FilterExpression.optional(),
      cesql: z.string().optional()
    })
    .refine((e) => Object.values(e).filter((v) => v !== undefined).length === 1, {
      message: 'each filter expression has exactly one dialect: exact, prefix, suffix, all, any, not or cesql'
    })
);

const Metadata = z.looseObject({ name: z.string().min(1), namespace: z.string().min(1).optional() });

export const Trigger = z.looseObject({
  apiVersion: z.literal(EVENTING_API_VERSION),
  kind: z.literal('Trigger'),
  metadata: Metadata,
  spec: z.looseObject({
    broker: z.string().min(1, 'must not be empty'),
    filter: z.looseObject({ attributes: z.record(z.string().min(1), z.string()).optional() }).optional(),
    filters: z.array(FilterExpression).optional(),
    subscriber: Destination,
    delivery: DeliverySpec.optional()
  })
});
export type Trigger = z.infer<typeof Trigger>;

export const Broker = z.looseObject({
  apiVersion: z.literal(EVENTING_API_VERSION),
  kind: z.literal('Broker'),
  metadata: Metadata,
  spec: z.looseObject({ delivery: DeliverySpec.optional() }).optional()
});
export type Broker = z.infer<typeof Broker>;

/** `namespace/name`, the key of a Trigger or a Broker in stats, logs and lookups. */
export const keyOf = (meta: { name: string; namespace?: string | undefined }, defaultNamespace: string): string =>
  `${meta.namespace ?? defaultNamespace}/${meta.name}`;

export const EVENT_POLICY_API_VERSION = 'eventing.knative.dev/v1alpha1';

const NamedRef = z.looseObject({ apiVersion: z.string().min(1), kind: z.string().min(1), name: z.string().min(1) });

/**
 * Knative's EventPolicy (eventing.knative.dev/v1alpha1): which OIDC identities (`from`: a `sub`, or a `ref` to an
 * object that sends with an identity of its own) may send which events (`filters`) to which addressables (`to`: refs
 * or a label selector; none = every one in the namespace). Enforced only with OIDC, as in Eventing.
 */
export const EventPolicy = z.looseObject({
  apiVersion: z.literal(EVENT_POLICY_API_VERSION),
  kind: z.literal('EventPolicy'),
  metadata: Metadata,
  spec: z
    .looseObject({
      to: z
        .array(
          z.looseObject({
            ref: NamedRef.optional(),
            selector: z
              .looseObject({
                apiVersion: z.string().min(1),
                kind: z.string().min(1),
                matchLabels: z.record(z.string(), z.string()).optional(),
                matchExpressions: z.array(z.unknown()).optional()
              })
              .optional()
          })
        )
        .optional(),
      from: z
        .array(
          z
            .looseObject({
              ref: NamedRef.extend({ namespace: z.string().optional() }).optional(),
              sub: z.string().optional()
            })
            .refine((f) => (f.ref === undefined) !== (f.sub === undefined), {
              message: 'each from names exactly one of ref, sub'
            })
        )
        .optional(),
      filters: z.array(FilterExpression).optional()
    })
    .optional()
});
export type EventPolicy = z.infer<typeof EventPolicy>;
