import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, Namespace, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import type { K8sObject } from './manifests.js';

/*
 * Validates Kubernetes objects offline the way an API server does before any webhook runs. Custom resources go
 * through the upstream CRDs vendored in test/fixtures/conformance/knative (their openAPIV3Schema, used as given,
 * with ajv in non-strict mode), and a field the API server would prune counts as an error: a manifest that
 * silently loses a field on apply does not say what it means. Core kinds go through the kubernetes-models
 * validators (which check types and required fields, not unknown fields).
 */

/** One node of a structural schema (apiextensions.k8s.io/v1 JSONSchemaProps), the parts validation reads. */
export interface SchemaNode {
  type?: string;
  description?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
}

interface Crd {
  spec: {
    group: string;
    names: { kind: string };
    versions: Array<{ name: string; schema?: { openAPIV3Schema: SchemaNode } }>;
  };
}

const here = path.dirname(fileURLToPath(import.meta.url));
export const KNATIVE_CRD_DIR = path.resolve(here, '../fixtures/conformance/knative');

/** Every vendored CRD version, as `<group>/<version>/<Kind>` → its openAPIV3Schema. */
export const CRD_SCHEMAS: ReadonlyMap<string, SchemaNode> = new Map(
  readdirSync(KNATIVE_CRD_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => {
      const crd = parse(readFileSync(path.join(KNATIVE_CRD_DIR, f), 'utf8')) as Crd;
      return crd.spec.versions
        .filter((v) => v.schema)
        .map((v) => [`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`, v.schema!.openAPIV3Schema] as const);
    })
);

// The API server checks the integer formats as ranges; the x-kubernetes-* keywords are not JSON Schema (strict: false).
const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
const compiled = new Map<string, ValidateFunction>();

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const CORE_MODELS: Record<string, new (o: any) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Namespace': Namespace,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding
};

/** The fields of ObjectMeta: the API server decodes a custom resource's metadata into it and drops anything else. */
const OBJECT_META = new Set([
  ...['name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp'],
  ...['deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers'],
  'managedFields'
]);

const keyOf = (o: K8sObject): string => `${o.apiVersion}/${o.kind}`;
/** A JSON object (not an array, not null). */
export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const preserves = (s: SchemaNode): boolean => s['x-kubernetes-preserve-unknown-fields'] === true;

/** The schema of a field of an object node: a declared property, else the map's value schema. */
export function fieldSchema(schema: SchemaNode, key: string): SchemaNode | undefined {
  return schema.properties?.[key] ?? (isObject(schema.additionalProperties) ? schema.additionalProperties : undefined);
}

/**
 * Calls `visit` for every value of `value` that the schema describes, with its path (`.spec.containers[0].env`) and
 * schema node, and `unknown` for every field it does not. Fields under x-kubernetes-preserve-unknown-fields with no
 * schema of their own are neither visited nor unknown.
 */
export function walkSchema(
  value: unknown,
  schema: SchemaNode,
  visit: { node?(at: string, v: unknown, s: SchemaNode): void; unknown?(at: string, s: SchemaNode): void },
  at = ''
): void {
  visit.node?.(at, value, schema);
  if (Array.isArray(value)) {
    if (schema.items) value.forEach((v, i) => walkSchema(v, schema.items!, visit, `${at}[${i}]`));
    return;
  }
  if (!isObject(value)) return;
  for (const [k, v] of Object.entries(value)) {
    const sub = fieldSchema(schema, k);
    if (sub) walkSchema(v, sub, visit, `${at}.${k}`);
    else if (!preserves(schema) && schema.additionalProperties !== true) visit.unknown?.(`${at}.${k}`, schema);
  }
}

/** The paths of the fields the API server would prune from a custom resource (its metadata decoded as ObjectMeta). */
export function prunedFields(object: K8sObject, schema: SchemaNode): string[] {
  const out: string[] = [];
  const { apiVersion: _a, kind: _k, metadata, ...rest } = object;
  for (const k of Object.keys(isObject(metadata) ? metadata : {})) if (!OBJECT_META.has(k)) out.push(`.metadata.${k}`);
  walkSchema(rest, schema, { unknown: (at) => out.push(at) });
  return out;
}

const ajvMessage = (e: ErrorObject): string =>
  `${e.instancePath || '/'} ${e.message ?? e.keyword}${e.keyword === 'enum' ? ` ${JSON.stringify(e.params)}` : ''}`;

/** The vendored schema of a custom resource kind, if there is one. */
export const crdSchema = (apiVersion: string, kind: string): SchemaNode | undefined =>
  CRD_SCHEMAS.get(`${apiVersion}/${kind}`);

/**
 * Every problem the API server would find in one object before admission: schema violations, pruned fields, or no
 * schema at all for its kind. An empty list means it would be stored as written.
 *
 * @example
 * expect(schemaProblems({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } })).toEqual([]);
 */
export function schemaProblems(object: K8sObject): string[] {
  const key = keyOf(object);
  const schema = CRD_SCHEMAS.get(key);
  if (schema) {
    let validate = compiled.get(key);
    if (!validate) compiled.set(key, (validate = ajv.compile(schema)));
    const errors = validate(object) ? [] : (validate.errors ?? []).map(ajvMessage);
    const pruned = prunedFields(object, schema).map((p) => `${p}: not in the schema, the API server would prune it`);
    return [...errors, ...pruned];
  }
  const Model = CORE_MODELS[key];
  if (!Model) return [`no schema for ${object.apiVersion} ${object.kind}`];
  try {
    new Model(object).validate();
    return [];
  } catch (err) {
    return [(err as Error).message];
  }
}
