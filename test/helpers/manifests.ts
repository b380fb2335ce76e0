import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

export interface Manifest {
  file: string;
  object: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Every object in every YAML file under a directory (knative/ by default), with the file it came from. */
export function readManifests(dir = 'knative'): Manifest[] {
  const out: Manifest[] = [];
  for (const rel of readdirSync(dir, { recursive: true }) as string[]) {
    if (!/\.ya?ml$/.test(rel)) continue;
    for (const doc of parseAllDocuments(readFileSync(path.join(dir, rel), 'utf8'))) {
      const object = doc.toJS() as Record<string, unknown> | null;
      if (object && typeof object === 'object') out.push({ file: rel, object });
    }
  }
  return out;
}
