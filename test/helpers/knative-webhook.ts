import { crdSchema, fieldSchema, isObject, walkSchema, type SchemaNode } from './k8s-schemas.js';
import type { K8sObject } from './manifests.js';

/*
 * What Knative's admission webhooks reject although the CRD schema accepts it, as a table of rules. Each rule names
 * the upstream code it restates (knative/serving at v1.23.0, knative/eventing at v1.22; the versions of the CRDs in
 * test/fixtures/conformance/knative). A rule sees one object and the feature flags the deployment says it needs.
 */

export interface WebhookContext {
  /** Feature flags the operator is told to enable (the README's prerequisites). */
  flags: ReadonlySet<string>;
}

export interface WebhookRule {
  id: string;
  /** What the webhook rejects, and where upstream says so. */
  rule: string;
  source: string;
  kinds: readonly string[];
  check(object: K8sObject, ctx: WebhookContext): string[];
}

/** Serving features enabled on a stock install (knative/serving pkg/apis/config/features.go, defaultFeaturesConfig). */
export const SERVING_ENABLED_BY_DEFAULT = new Set(['multi-container', 'kubernetes.podspec-volumes-emptydir']);
/** Eventing features enabled on a stock install (knative/eventing pkg/apis/feature/flag_names.go, config-features). */
export const EVENTING_ENABLED_BY_DEFAULT = new Set(['delivery-timeout']);
/** Eventing's OIDC flag: off by default; EventPolicies cannot be created without it. */
export const OIDC_FLAG = 'authentication-oidc';

export const MAX_REVISION_TIMEOUT_SECONDS = 600;
/** Container securityContext fields Serving keeps (pkg/apis/serving/fieldmask.go, SecurityContextMask). */
export const CONTAINER_SECURITY_CONTEXT = new Set([
  ...['allowPrivilegeEscalation', 'capabilities', 'readOnlyRootFilesystem', 'runAsGroup', 'runAsNonRoot'],
  ...['runAsUser', 'seccompProfile']
]);
const FLAG_NOTE = /This is accessible behind a feature flag - (\S+)/;
const ATTRIBUTE_NAME = /^[a-z][a-z0-9]*$/;
const N = String.raw`\d+(?:[.,]\d+)?`;
const ISO_DURATION = new RegExp(`^[-+]?P(?=\\d|T\\d)(${N}Y)?(${N}M)?(${N}W)?(${N}D)?(T(?=\\d)(${N}H)?(${N}M)?(${N}S)?)?$`);
/** DeliverySpec fields the eventing CRDs keep only through x-kubernetes-preserve-unknown-fields (delivery_types.go). */
const DELIVERY_EXTRAS = ['timeout', 'retryAfterMax', 'format'];
const EVENTING_FLAGGED_DELIVERY: Record<string, string> = {
  timeout: 'delivery-timeout',
  retryAfterMax: 'delivery-retryafter'
};
const EVENTING_KINDS = ['Broker', 'Trigger', 'PingSource', 'SinkBinding', 'EventPolicy'];

const containers = (o: K8sObject): Array<[string, K8sObject]> => {
  const spec = o.spec?.template?.spec ?? {};
  return (['containers', 'initContainers'] as const).flatMap((f) =>
    ((spec[f] ?? []) as K8sObject[]).map((c, i) => [`.spec.template.spec.${f}[${i}]`, c] as [string, K8sObject])
  );
};
const deliveryOf = (o: K8sObject): K8sObject | undefined => (isObject(o.spec?.delivery) ? o.spec.delivery : undefined);
const flagOff = (flag: string, on: ReadonlySet<string>, ctx: WebhookContext): boolean =>
  !on.has(flag) && !ctx.flags.has(flag);

/** The fields of a Service that sit behind a Serving feature flag, from the CRD's own "accessible behind" notes. */
function servingFlaggedFields(o: K8sObject): Array<{ at: string; flag: string }> {
  const schema = crdSchema(o.apiVersion, o.kind);
  const out: Array<{ at: string; flag: string }> = [];
  if (schema)
    walkSchema(o, schema, {
      node: (at, _v, s) => {
        const flag = FLAG_NOTE.exec(s.description ?? '')?.[1];
        if (flag) out.push({ at, flag });
      }
    });
  if ((o.spec?.template?.spec?.containers ?? []).length > 1)
    out.push({ at: '.spec.template.spec.containers', flag: 'multi-container' });
  return out;
}

/** Fields of an eventing object that its Go type does not have (the webhook decodes with unknown fields disallowed). */
function unknownEventingFields(o: K8sObject): string[] {
  const schema = crdSchema(o.apiVersion, o.kind);
  if (!schema || !isObject(o.spec)) return [];
  const filter = schema.properties?.spec?.properties?.filters?.items;
  const out: string[] = [];
  const walk = (value: unknown, s: SchemaNode, at: string): void => {
    if (Array.isArray(value)) return value.forEach((v, i) => s.items && walk(v, s.items, `${at}[${i}]`));
    if (!isObject(value) || !s.properties) return;
    for (const [k, v] of Object.entries(value)) {
      // all/any/not nest whole filters; the CRD leaves them open, the Go type (SubscriptionsAPIFilter) does not.
      const nested = filter && /\.filters\[\d+\]/.test(at) && ['all', 'any', 'not'].includes(k);
      const sub = nested ? (k === 'not' ? filter : { type: 'array', items: filter }) : fieldSchema(s, k);
      if (sub) walk(v, sub, `${at}.${k}`);
      else if (!(at.endsWith('.delivery') && DELIVERY_EXTRAS.includes(k))) out.push(`${at}.${k}`);
    }
  };
  walk(o.spec, schema.properties!.spec!, '.spec');
  return out;
}

/** One `from`/`to` reference of an EventPolicy: kind, apiVersion and name are required (EventPolicy*Reference.Validate). */
const refProblems = (ref: K8sObject, at: string): string[] =>
  (['kind', 'apiVersion', 'name'] as const).filter((f) => !ref[f]).map((f) => `${at}.${f} is required`);

/** What eventpolicy_validation.go rejects in a spec. */
function eventPolicyProblems(o: K8sObject): string[] {
  const spec = isObject(o.spec) ? o.spec : {};
  const from = (Array.isArray(spec.from) ? spec.from : []) as K8sObject[];
  const to = (Array.isArray(spec.to) ? spec.to : []) as K8sObject[];
  return [
    ...from.flatMap((f, i) => {
      const at = `.spec.from[${i}]`;
      const sub = typeof f.sub === 'string' ? f.sub : undefined;
      return [
        ...(!f.ref && !sub ? [`${at} needs one of ref, sub`] : []),
        ...(f.ref && f.sub !== undefined ? [`${at} may set only one of ref, sub`] : []),
        ...(f.ref ? refProblems(f.ref, `${at}.ref`) : []),
        ...(sub && sub.length > 1 && sub.slice(0, -1).includes('*') ? [`${at}.sub: '*' is only allowed as suffix`] : [])
      ];
    }),
    ...to.flatMap((t, i) => {
      const at = `.spec.to[${i}]`;
      return [
        ...(!t.ref && !t.selector ? [`${at} needs one of ref, selector`] : []),
        ...(t.ref && t.selector ? [`${at} may set only one of ref, selector`] : []),
        ...(t.ref ? refProblems(t.ref, `${at}.ref`) : [])
      ];
    }),
    ...((Array.isArray(spec.filters) ? spec.filters : []) as K8sObject[]).flatMap((f, i) =>
      Object.keys(f).length === 1
        ? []
        : [`.spec.filters[${i}] needs exactly one of exact, prefix, suffix, all, any, not, cesql`]
    )
  ];
}

function isZeroDuration(d: string): boolean {
  return !/[1-9]/.test(d);
}

export const WEBHOOK_RULES: readonly WebhookRule[] = [
  {
    id: 'serving-feature-flag',
    rule: 'a Service field behind a Serving feature flag that is disabled by default ("must not set the field(s)")',
    source: 'knative/serving pkg/apis/config/features.go, pkg/apis/serving/fieldmask.go, k8s_validation.go',
    kinds: ['Service'],
    check: (o, ctx) =>
      servingFlaggedFields(o)
        .filter(({ flag }) => flagOff(flag, SERVING_ENABLED_BY_DEFAULT, ctx))
        .map(({ at, flag }) => `${at} needs the Serving feature flag ${flag}, disabled by default`)
  },
  {
    id: 'revision-timeout',
    rule: `timeoutSeconds below 0 or above max-revision-timeout-seconds (${MAX_REVISION_TIMEOUT_SECONDS} by default)`,
    source: 'knative/serving pkg/apis/config/defaults.go, pkg/apis/serving/v1/revision_validation.go',
    kinds: ['Service'],
    check: (o) => {
      const t = o.spec?.template?.spec?.timeoutSeconds as number | undefined;
      return t !== undefined && (t < 0 || t > MAX_REVISION_TIMEOUT_SECONDS)
        ? [`.spec.template.spec.timeoutSeconds ${t} is outside 0..${MAX_REVISION_TIMEOUT_SECONDS}`]
        : [];
    }
  },
  {
    id: 'container-security-context',
    rule: 'a container securityContext field Serving does not allow',
    source: 'knative/serving pkg/apis/serving/fieldmask.go (SecurityContextMask, CapabilitiesMask)',
    kinds: ['Service'],
    check: (o) =>
      containers(o).flatMap(([at, c]) => [
        ...Object.keys(c.securityContext ?? {})
          .filter((k) => !CONTAINER_SECURITY_CONTEXT.has(k))
          .map((k) => `${at}.securityContext.${k} is not allowed`),
        ...Object.keys(c.securityContext?.capabilities ?? {})
          .filter((k) => k !== 'add' && k !== 'drop')
          .map((k) => `${at}.securityContext.capabilities.${k} is not allowed`)
      ])
  },
  {
    id: 'run-as-non-root',
    rule: 'runAsNonRoot: true without a numeric runAsUser: the kubelet cannot verify a named image user and refuses to start',
    source: 'kubernetes pkg/kubelet/kuberuntime/security_context_others.go (verifyRunAsNonRoot)',
    kinds: ['Service'],
    check: (o) =>
      containers(o)
        .filter(([, c]) => c.securityContext?.runAsNonRoot === true)
        .filter(([, c]) => !(Number.isInteger(c.securityContext.runAsUser) && c.securityContext.runAsUser > 0))
        .map(([at]) => `${at}.securityContext sets runAsNonRoot without a non-zero runAsUser`)
  },
  {
    id: 'eventing-unknown-field',
    rule: 'a field an eventing type does not have (the webhook decodes with unknown fields disallowed)',
    source: 'knative/eventing cmd/webhook/main.go; pkg/apis/eventing/v1, pkg/apis/sources/v1, pkg/apis/duck/v1',
    kinds: EVENTING_KINDS,
    check: (o) => unknownEventingFields(o).map((at) => `${at} is not a field of ${o.kind}`)
  },
  {
    id: 'eventing-feature-flag',
    rule: 'a delivery field behind an Eventing feature flag that is disabled by default',
    source: 'knative/eventing pkg/apis/duck/v1/delivery_types.go (Validate), pkg/apis/feature/features.go',
    kinds: ['Broker', 'Trigger'],
    check: (o, ctx) =>
      Object.entries(EVENTING_FLAGGED_DELIVERY)
        .filter(([field, flag]) => deliveryOf(o)?.[field] !== undefined && flagOff(flag, EVENTING_ENABLED_BY_DEFAULT, ctx))
        .map(([field, flag]) => `.spec.delivery.${field} needs the Eventing feature flag ${flag}, disabled by default`)
  },
  {
    id: 'delivery-values',
    rule: 'backoffPolicy other than linear/exponential, format other than json/binary, a negative retry',
    source: 'knative/eventing pkg/apis/duck/v1/delivery_types.go (Validate)',
    kinds: ['Broker', 'Trigger'],
    check: (o) => {
      const d = deliveryOf(o);
      if (!d) return [];
      return [
        ...(d.backoffPolicy !== undefined && !['linear', 'exponential'].includes(d.backoffPolicy)
          ? [`.spec.delivery.backoffPolicy "${d.backoffPolicy}" is not linear or exponential`]
          : []),
        ...(d.format !== undefined && !['json', 'binary'].includes(d.format)
          ? [`.spec.delivery.format "${d.format}" is not json or binary`]
          : []),
        ...(typeof d.retry === 'number' && d.retry < 0 ? [`.spec.delivery.retry ${d.retry} is negative`] : [])
      ];
    }
  },
  {
    id: 'delivery-durations',
    rule: 'timeout, backoffDelay or retryAfterMax that is not an ISO-8601 duration (timeout also not zero)',
    source: 'knative/eventing pkg/apis/duck/v1/delivery_types.go (period.Parse)',
    kinds: ['Broker', 'Trigger'],
    check: (o) =>
      (['timeout', 'backoffDelay', 'retryAfterMax'] as const).flatMap((f) => {
        const v = deliveryOf(o)?.[f];
        if (v === undefined) return [];
        const ok = typeof v === 'string' && ISO_DURATION.test(v) && !(f === 'timeout' && isZeroDuration(v));
        return ok ? [] : [`.spec.delivery.${f} ${JSON.stringify(v)} is not an ISO-8601 duration`];
      })
  },
  {
    id: 'trigger-filter-attributes',
    rule: 'a filter.attributes name not matching ^[a-z][a-z0-9]*$, or a value that is not a string',
    source: 'knative/eventing pkg/apis/eventing/v1/trigger_validation.go (ValidateAttributesNames)',
    kinds: ['Trigger'],
    check: (o) =>
      Object.entries((o.spec?.filter?.attributes ?? {}) as Record<string, unknown>).flatMap(([k, v]) => [
        ...(ATTRIBUTE_NAME.test(k) ? [] : [`.spec.filter.attributes.${k}: attribute names are lowercase [a-z][a-z0-9]*`]),
        ...(typeof v === 'string' ? [] : [`.spec.filter.attributes.${k} is not a string`])
      ])
  },
  {
    id: 'eventpolicy-needs-oidc',
    rule: `an EventPolicy created while the Eventing flag ${OIDC_FLAG} is off ("oidc-authentication feature not enabled")`,
    source: 'knative/eventing pkg/apis/eventing/v1alpha1/eventpolicy_validation.go (Validate)',
    kinds: ['EventPolicy'],
    check: (o, ctx) =>
      flagOff(OIDC_FLAG, EVENTING_ENABLED_BY_DEFAULT, ctx)
        ? [`needs the Eventing feature flag ${OIDC_FLAG}, disabled by default`]
        : []
  },
  {
    id: 'eventpolicy-spec',
    rule: 'a from without exactly one of ref/sub, a sub with * before its end, a to without exactly one of ref/selector, a ref without kind/apiVersion/name, a filter without exactly one dialect',
    source: 'knative/eventing pkg/apis/eventing/v1alpha1/eventpolicy_validation.go (EventPolicySpec.Validate, validateSub)',
    kinds: ['EventPolicy'],
    check: (o) => eventPolicyProblems(o)
  },
  {
    id: 'trigger-broker-subscriber',
    rule: 'a Trigger without exactly one of broker/brokerRef, or a subscriber with neither ref nor uri',
    source: 'knative/eventing pkg/apis/eventing/v1/trigger_validation.go; knative/pkg apis/duck/v1/destination.go',
    kinds: ['Trigger'],
    check: (o) => [
      ...(Boolean(o.spec?.broker) === Boolean(o.spec?.brokerRef) ? ['.spec needs exactly one of broker, brokerRef'] : []),
      ...(o.spec?.subscriber?.ref || o.spec?.subscriber?.uri ? [] : ['.spec.subscriber needs a ref or a uri'])
    ]
  }
];

/**
 * Every webhook rule one object breaks, each message prefixed with its rule id.
 *
 * @example
 * expect(webhookViolations(service, { flags: new Set() })).toEqual([]);
 */
export function webhookViolations(object: K8sObject, ctx: WebhookContext): string[] {
  return WEBHOOK_RULES.filter((r) => r.kinds.includes(object.kind) && object.apiVersion?.includes('knative.dev/')).flatMap(
    (r) => r.check(object, ctx).map((m) => `[${r.id}] ${object.kind}/${object.metadata?.name}: ${m}`)
  );
}
