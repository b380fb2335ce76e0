import { describe, expect, it } from 'vitest';
import { compileFilter } from '../../../../local/broker/filters.js';
import type { Trigger } from '../../../../local/broker/resources.js';

type Spec = Pick<Trigger['spec'], 'filter' | 'filters'>;

const event = {
  specversion: '1.0',
  id: 'e-1',
  source: '/cortex/chat',
  type: 'dev.cortex.healing.started',
  subject: 'api',
  correlationid: 'c-9',
  extinteger: 10,
  extboolean: true
};

interface Row {
  name: string;
  spec: Spec;
  matches: boolean;
}

const table: Row[] = [
  // filter.attributes (legacy): exact, ANDed, "" = present with any value
  { name: 'no filter at all matches everything', spec: {}, matches: true },
  {
    name: 'attributes: exact type',
    spec: { filter: { attributes: { type: 'dev.cortex.healing.started' } } },
    matches: true
  },
  {
    name: 'attributes: other type',
    spec: { filter: { attributes: { type: 'dev.cortex.healing.failed' } } },
    matches: false
  },
  {
    name: 'attributes: case-sensitive',
    spec: { filter: { attributes: { type: 'DEV.cortex.healing.started' } } },
    matches: false
  },
  {
    name: 'attributes: ANDed, all hold',
    spec: { filter: { attributes: { type: 'dev.cortex.healing.started', subject: 'api' } } },
    matches: true
  },
  {
    name: 'attributes: ANDed, one fails',
    spec: { filter: { attributes: { type: 'dev.cortex.healing.started', subject: 'web' } } },
    matches: false
  },
  {
    name: 'attributes: "" and the attribute is present',
    spec: { filter: { attributes: { correlationid: '' } } },
    matches: true
  },
  {
    name: 'attributes: "" and the attribute is absent',
    spec: { filter: { attributes: { healingid: '' } } },
    matches: false
  },
  {
    name: 'attributes: a value on an absent attribute',
    spec: { filter: { attributes: { healingid: 'h-1' } } },
    matches: false
  },
  {
    name: 'attributes: integer extension by its string form',
    spec: { filter: { attributes: { extinteger: '10' } } },
    matches: true
  },
  {
    name: 'attributes: boolean extension by its string form',
    spec: { filter: { attributes: { extboolean: 'true' } } },
    matches: true
  },
  { name: 'attributes: empty map matches everything', spec: { filter: { attributes: {} } }, matches: true },
  // filters: exact
  { name: 'exact: equal', spec: { filters: [{ exact: { type: 'dev.cortex.healing.started' } }] }, matches: true },
  { name: 'exact: different', spec: { filters: [{ exact: { type: 'dev.cortex.healing' } }] }, matches: false },
  {
    name: 'exact: several entries, all must hold',
    spec: { filters: [{ exact: { type: 'dev.cortex.healing.started', subject: 'x' } }] },
    matches: false
  },
  { name: 'exact: "" is a literal, not a wildcard', spec: { filters: [{ exact: { subject: '' } }] }, matches: false },
  { name: 'exact: absent attribute', spec: { filters: [{ exact: { healingid: 'h' } }] }, matches: false },
  // filters: prefix / suffix
  { name: 'prefix: matches', spec: { filters: [{ prefix: { type: 'dev.cortex.healing.' } }] }, matches: true },
  { name: 'prefix: does not match', spec: { filters: [{ prefix: { type: 'dev.cortex.diagnosis.' } }] }, matches: false },
  { name: 'prefix: case-sensitive', spec: { filters: [{ prefix: { type: 'Dev.' } }] }, matches: false },
  { name: 'prefix: absent attribute', spec: { filters: [{ prefix: { healingid: '' } }] }, matches: false },
  { name: 'suffix: matches', spec: { filters: [{ suffix: { type: '.started' } }] }, matches: true },
  { name: 'suffix: does not match', spec: { filters: [{ suffix: { type: '.failed' } }] }, matches: false },
  { name: 'suffix: source', spec: { filters: [{ suffix: { source: '/chat' } }] }, matches: true },
  // filters: all / any / not
  {
    name: 'all: every expression holds',
    spec: { filters: [{ all: [{ prefix: { type: 'dev.' } }, { exact: { subject: 'api' } }] }] },
    matches: true
  },
  {
    name: 'all: one fails',
    spec: { filters: [{ all: [{ prefix: { type: 'dev.' } }, { exact: { subject: 'web' } }] }] },
    matches: false
  },
  { name: 'all: empty list holds', spec: { filters: [{ all: [] }] }, matches: true },
  {
    name: 'any: one holds',
    spec: { filters: [{ any: [{ exact: { type: 'x' } }, { suffix: { type: 'started' } }] }] },
    matches: true
  },
  {
    name: 'any: none holds',
    spec: { filters: [{ any: [{ exact: { type: 'x' } }, { exact: { type: 'y' } }] }] },
    matches: false
  },
  { name: 'any: empty list fails', spec: { filters: [{ any: [] }] }, matches: false },
  {
    name: 'not: negates a match',
    spec: { filters: [{ not: { prefix: { type: 'dev.cortex.healing.' } } }] },
    matches: false
  },
  { name: 'not: negates a miss', spec: { filters: [{ not: { exact: { type: 'other' } } }] }, matches: true },
  { name: 'not: of an absent attribute holds', spec: { filters: [{ not: { exact: { healingid: 'h' } } }] }, matches: true },
  {
    name: 'nested: not(any(...))',
    spec: { filters: [{ not: { any: [{ exact: { type: 'a' } }, { exact: { type: 'b' } }] } }] },
    matches: true
  },
  // the list itself is ANDed; filters win over filter
  {
    name: 'filters list: ANDed',
    spec: { filters: [{ prefix: { type: 'dev.' } }, { exact: { subject: 'web' } }] },
    matches: false
  },
  { name: 'filters: empty list matches everything', spec: { filters: [] }, matches: true },
  {
    name: 'filters set: filter ignored (would fail)',
    spec: { filter: { attributes: { type: 'nope' } }, filters: [{ prefix: { type: 'dev.' } }] },
    matches: true
  },
  {
    name: 'filters set: filter ignored (would pass)',
    spec: { filter: { attributes: { type: 'dev.cortex.healing.started' } }, filters: [{ exact: { type: 'x' } }] },
    matches: false
  },
  // cesql: never matches (not evaluated), even under not
  { name: 'cesql: never matches', spec: { filters: [{ cesql: "type = 'dev.cortex.healing.started'" }] }, matches: false },
  { name: 'cesql under not: still never matches', spec: { filters: [{ not: { cesql: "type = 'x'" } }] }, matches: false }
];

describe('Trigger filters (local/broker/filters)', () => {
  for (const row of table) {
    it(`${row.name} → ${row.matches ? 'match' : 'no match'}`, () => {
      // Prepare
      const filter = compileFilter(row.spec);
      // Act
      const result = filter.matches(event);
      // Assess
      expect(result).toBe(row.matches);
    });
  }

  it('says why a cesql Trigger never matches', () => {
    // Prepare
    const spec: Spec = { filters: [{ all: [{ cesql: "type LIKE 'dev.%'" }] }] };
    // Act
    const filter = compileFilter(spec);
    // Assess
    expect(filter.unsupported).toMatch(/cesql/);
    expect(compileFilter({ filters: [{ exact: { type: 'x' } }] }).unsupported).toBeUndefined();
  });
});
