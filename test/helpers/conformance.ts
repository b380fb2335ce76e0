import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The CloudEvents project's JSON-format conformance vectors, as given in shared/conformance/cloudevents. */
export interface ConformanceTest {
  id: string;
  event?: Record<string, unknown>;
  batch?: unknown[];
  sampleExtensionAttributes?: boolean;
  extensionConstraints?: boolean;
}

const here = path.dirname(fileURLToPath(import.meta.url));
export const CONFORMANCE_DIR = path.resolve(here, '../fixtures/conformance/cloudevents');

export function conformanceVectors(
  file: 'valid-events' | 'invalid-events' | 'valid-batches' | 'invalid-batches'
): ConformanceTest[] {
  return (JSON.parse(readFileSync(path.join(CONFORMANCE_DIR, `${file}.json`), 'utf8')) as { tests: ConformanceTest[] })
    .tests;
}

/** The attribute an invalid vector breaks, for asserting that the 400 names it. */
export function brokenAttribute(id: string): string {
  const table: Record<string, string> = {
    invalidNoSpecVersion: 'specversion',
    invalidNoId: 'id',
    invalidNoType: 'type',
    invalidNoSource: 'source',
    invalidEmptyId: 'id',
    invalidEmptyType: 'type',
    invalidEmptySource: 'source',
    invalidEmptySpecVersion: 'specversion',
    invalidUnknownSpecVersion: 'specversion',
    invalidNonRfc2046DataContentType: 'datacontenttype',
    invalidEmptyDataContentType: 'datacontenttype',
    invalidEmptyDataSchema: 'dataschema',
    invalidEmptySubject: 'subject',
    invalidNumericId: 'id',
    invalidObjectId: 'id',
    invalidCapitalizedExtension: 'MyExtension',
    invalidPunctuatedExtension: 'my.extension',
    invalidNonIntegerExtensionValue: 'my.extension',
    invalidBothDataAndDataBase64: 'data_base64'
  };
  return table[id] ?? (id.startsWith('invalidTime') ? 'time' : id);
}
