import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../../shared/runtime/errors.js';
import { Broker, EVENT_POLICY_API_VERSION, EVENTING_API_VERSION, EventPolicy, Trigger } from './resources.js';

/** The Knative objects the local broker acts on, read from a directory of manifests. */
export interface KnativeResources {
  brokers: Broker[];
  triggers: Trigger[];
  /** Enforced with OIDC only (CreateBrokerOptions.oidc), as Eventing does. */
  eventPolicies?: EventPolicy[];
}

async function yamlFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && /\.ya?ml$/i.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

function issuesOf(error: z.ZodError): string {
  return error.issues
    .map((i) => {
      const where = i.path.join('.');
      const message = /received undefined/.test(i.message) ? 'is required' : i.message;
      return where ? `${where}: ${message}` : message;
    })
    .join('; ');
}

function describe(doc: unknown): string {
  const meta = (doc as { metadata?: { name?: unknown } }).metadata;
  const kind = (doc as { kind?: unknown }).kind;
  return typeof meta?.name === 'string' ? `${String(kind)} "${meta.name}"` : String(kind);
}

/**
 * Parses the documents of one YAML text and keeps the Brokers and Triggers of eventing.knative.dev/v1 and the
 * EventPolicies of v1alpha1; every other kind (Services, RBAC, sources, kustomizations, patches) is ignored. Throws
 * ConfigError naming the file and document index.
 */
export function parseManifests(text: string, file: string): Required<KnativeResources> {
  const out: Required<KnativeResources> = { brokers: [], triggers: [], eventPolicies: [] };
  parseAllDocuments(text).forEach((doc, index) => {
    const where = `${file}, document ${index}`;
    if (doc.errors.length > 0) throw new ConfigError(`${where}: YAML does not parse: ${doc.errors[0]!.message}`);
    const value: unknown = doc.toJS();
    if (value === null || typeof value !== 'object') return;
    const { apiVersion, kind } = value as { apiVersion?: unknown; kind?: unknown };
    if (apiVersion === EVENT_POLICY_API_VERSION && kind === 'EventPolicy') {
      const parsed = EventPolicy.safeParse(value);
      if (!parsed.success) throw new ConfigError(`${where}: invalid ${describe(value)}: ${issuesOf(parsed.error)}`);
      out.eventPolicies.push(parsed.data);
      return;
    }
    if (apiVersion !== EVENTING_API_VERSION || (kind !== 'Trigger' && kind !== 'Broker')) return;
    const schema = kind === 'Trigger' ? Trigger : Broker;
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new ConfigError(`${where}: invalid ${describe(value)}: ${issuesOf(parsed.error)}`);
    if (kind === 'Trigger') out.triggers.push(parsed.data as Trigger);
    else out.brokers.push(parsed.data as Broker);
  });
  return out;
}

/**
 * Reads every `*.yaml` / `*.yml` under `dir` (recursively, in path order) and returns its Brokers, Triggers and
 * EventPolicies.
 *
 * @example
 * const { brokers, triggers } = await loadKnativeDir('knative');
 */
export async function loadKnativeDir(dir: string): Promise<Required<KnativeResources>> {
  const out: Required<KnativeResources> = { brokers: [], triggers: [], eventPolicies: [] };
  for (const file of await yamlFiles(dir)) {
    const found = parseManifests(await readFile(file, 'utf8'), file);
    out.brokers.push(...found.brokers);
    out.triggers.push(...found.triggers);
    out.eventPolicies.push(...found.eventPolicies);
  }
  return out;
}
