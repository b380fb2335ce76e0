import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadAll } from '../../functions/index.js';
import { renderManifests } from './render.js';

/** Writes knative/ from the function definitions, removing generated files that no longer belong. */
const root = path.resolve('knative');
const files = renderManifests(await loadAll());
const existing = await readdir(root, { recursive: true }).catch(() => [] as string[]);
for (const rel of existing) {
  if (/\.ya?ml$/.test(rel) && !files.has(rel)) await rm(path.join(root, rel));
}
for (const [rel, text] of files) {
  await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
  await writeFile(path.join(root, rel), text);
}
console.log(`knative/: ${files.size} files`);
