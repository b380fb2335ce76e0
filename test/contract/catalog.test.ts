import { readFileSync, existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FUNCTION_NAMES, loadAll } from '../../functions/index.js';
import { CATALOG, CORTEX_TYPE_PREFIX, eventDef } from '../../shared/events/registry.js';
import { serviceNames } from '../../shared/runtime/define-function.js';
import { fromHttp } from '../../shared/events/http.js';
import type { AnyEventDef } from '../../shared/events/define.js';
import { catalogTable, jsonSchemaOf, TABLE_END, TABLE_START } from '../../scripts/docs/catalog.js';
import { readManifests } from '../helpers/manifests.js';

/** The functions of DESIGN §2. Producer/consumer completeness is enforced once all of them exist. */
const DESIGN_FUNCTIONS = [
  'chat',
  'error-intake',
  'healing-coordinator',
  'sse-relay',
  ...[
    'pod-status',
    'service-endpoints',
    'pod-logs',
    'deployment-config',
    'resource-limits',
    'network-policies',
    'failed-pods',
    'events'
  ].map((c) => `check-${c}`),
  ...['restart-pods', 'scale-up', 'rollout-restart', 'cleanup-failed-pods', 'report-oom', 'report-image-pull'].map(
    (a) => `remediate-${a}`
  )
];
// DESIGN §3 names the progress stream `healing.progress` (a noun), kept for the browser contract; all else is past tense.
const TYPE_GRAMMAR =
  /^dev\.cortex(\.[a-z][a-z0-9_]*){1,3}\.(reported|requested|started|completed|failed|delayed|progress|explained|decided)$/;

const defs = await loadAll();
const triggers = readManifests().filter((m) => m.object.kind === 'Trigger');
const fixture = (type: string): string => `test/fixtures/events/${type}.json`;

describe('Contract: event catalog', () => {
  it('writes every type string once, in the type grammar dev.cortex.<domain>.<entity>[.<qualifier>].<verb>', () => {
    // Prepare
    const types = CATALOG.map((d) => d.type);
    // Assess
    expect(new Set(types).size).toBe(types.length);
    for (const t of types.filter((x) => x.startsWith(CORTEX_TYPE_PREFIX))) expect(t).toMatch(TYPE_GRAMMAR);
  });

  it.each(CATALOG.map((d) => [d.type, d] as const))(
    'has a fixture for %s that is a valid CloudEvent and validates',
    (type, def) => {
      // Prepare
      const text = readFileSync(fixture(type), 'utf8');
      // Act
      const ev = fromHttp({ 'content-type': 'application/cloudevents+json' }, text);
      // Assess
      expect(ev.type).toBe(type);
      expect(def.data.safeParse(ev.data).success).toBe(true);
    }
  );

  it.each(CATALOG.map((d) => [d.type, d] as const))(
    'keeps %s replayable with kn: without the lists kn cannot write, its data still validates',
    (type, def) => {
      // Prepare: kn writes scalars and nested objects with -f, never arrays
      const data = (JSON.parse(readFileSync(fixture(type), 'utf8')) as { data: unknown }).data;
      const withoutLists = (v: unknown): unknown =>
        v && typeof v === 'object' && !Array.isArray(v)
          ? Object.fromEntries(
              Object.entries(v)
                .filter(([, x]) => !Array.isArray(x))
                .map(([k, x]) => [k, withoutLists(x)])
            )
          : v;
      // Act
      const parsed = def.data.safeParse(withoutLists(data));
      // Assess
      expect(parsed.success, parsed.error?.message).toBe(true);
    }
  );

  it("lists only catalog types in every function's on, emits and deadLetters", () => {
    for (const def of defs) {
      for (const d of [...def.on, ...def.emits, ...(def.deadLetters ?? [])] as AnyEventDef[])
        expect(eventDef(d.type)).toBe(d);
    }
  });

  it('routes by type alone: every Trigger filters on exactly one catalog type', () => {
    for (const { file, object } of triggers) {
      const attrs = object.spec?.filter?.attributes ?? {};
      expect(object.spec.filters, file).toBeUndefined();
      expect(Object.keys(attrs), file).toEqual(['type']);
      expect(eventDef(attrs.type), `${file}: ${attrs.type}`).toBeDefined();
    }
  });

  it('delivers every type a function subscribes to through a Trigger that points at that function (a split one: its ingest)', () => {
    for (const def of defs) {
      const subscriber = def.knative?.split?.ingest ?? def.name;
      for (const d of def.on as AnyEventDef[]) {
        const hit = triggers.find(
          (t) => t.object.spec.filter.attributes.type === d.type && t.object.spec.subscriber.ref?.name === subscriber
        );
        expect(hit, `${def.name} subscribes to ${d.type} but no Trigger delivers it`).toBeDefined();
      }
    }
  });

  it('gives every Trigger a subscriber that is one of our functions', () => {
    const names = defs.flatMap(serviceNames);
    for (const { file, object } of triggers) expect(names, file).toContain(object.spec.subscriber.ref.name);
  });

  const complete = DESIGN_FUNCTIONS.every((n) => (FUNCTION_NAMES as string[]).includes(n));
  it.runIf(complete)('has a producer and a consumer for every catalog type', () => {
    for (const d of CATALOG) {
      const produced =
        d.type === 'dev.knative.sources.ping' ||
        defs.some((f) => f.emits.includes(d)) ||
        d.type === 'dev.cortex.error.reported';
      const consumed = defs.some((f) => f.on.includes(d));
      expect(produced, `${d.type} has no producer`).toBe(true);
      expect(consumed, `${d.type} has no consumer`).toBe(true);
    }
  });

  it('keeps the README catalog table and docs/events in step with the catalog (run `npm run gen`)', () => {
    // Prepare
    const readme = readFileSync('README.md', 'utf8');
    const current = readme.slice(readme.indexOf(TABLE_START), readme.indexOf(TABLE_END) + TABLE_END.length);
    // Assess
    expect(current).toBe(catalogTable(defs));
    for (const d of CATALOG) {
      const file = `docs/events/${d.type}.schema.json`;
      expect(existsSync(file), file).toBe(true);
      expect(JSON.parse(readFileSync(file, 'utf8')), file).toEqual(jsonSchemaOf(d));
    }
  });
});
