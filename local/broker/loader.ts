import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../../shared/runtime/errors.js';
import { Broker, EVENTING_API_VERSION, Trigger } from './resources.js';

/** The Knative objects the local broker acts on, read from a directory of manifests. */
export interface KnativeResources {
  brokers: Broker[];
  triggers: Trigger[];
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
 * Parses the documents of one YAML text and keeps the Brokers and Triggers of eventing.knative.dev/v1; every other
 * kind (Services, RBAC, sources, kustomizations) is ignored. Throws ConfigError naming the file and document index.
 */
export function parseManifests(text: string, file: string): KnativeResources {
  const out: KnativeResources = { brokers: [], triggers: [] };
  parseAllDocuments(text).forEach((doc, index) => {
    const where = `${file}, document ${index}`;
    if (doc.errors.length > 0) throw new ConfigError(`${where}: YAML does not parse: ${doc.errors[0]!.message}`);
    const value: unknown = doc.toJS();
    if (value === null || typeof value !== 'object') return;
    const { apiVersion, kind } = value as { apiVersion?: unknown; kind?: unknown };
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
 * Reads every `*.yaml` / `*.yml` under `dir` (recursively, in path order) and returns its Brokers and Triggers.
 *
 * @example
 * const { brokers, triggers } = await loadKnativeDir('knative');
 */
export async function loadKnativeDir(dir: string): Promise<KnativeResources> {
  const out: KnativeResources = { brokers: [], triggers: [] };
  for (const file of await yamlFiles(dir)) {
    const found = parseManifests(await readFile(file, 'utf8'), file);
    out.brokers.push(...found.brokers);
    out.triggers.push(...found.triggers);
  }
  return out;
}
