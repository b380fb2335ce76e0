import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { loadAll } from '../../functions/index.js';
import { CATALOG } from '../../shared/events/registry.js';
import { catalogTable, jsonSchemaOf, withTable } from './catalog.js';

/** Writes docs/events/*.schema.json and the README's catalog table from the catalog. */
await mkdir('docs/events', { recursive: true });
for (const def of CATALOG) {
  await writeFile(`docs/events/${def.type}.schema.json`, JSON.stringify(jsonSchemaOf(def), null, 2) + '\n');
}
const readme = await readFile('README.md', 'utf8');
await writeFile('README.md', withTable(readme, catalogTable(await loadAll())));
console.log(`docs/events: ${CATALOG.length} schemas; README catalog table updated`);
