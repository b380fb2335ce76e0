import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventually,
  sendBinary,
  startSubscriber,
  startTestBroker,
  trigger,
  type Subscriber,
  type TestBroker
} from './harness.js';

/*
 * One Trigger per filter dialect, each delivering to its own path of one subscriber, and a set of events; every
 * event is checked against the exact set of Triggers it must reach.
 */
const TRIGGERS: Record<string, string> = {
  attributes: `  filter: { attributes: { type: dev.cortex.healing.started, subject: api } }`,
  'attributes-any': `  filter: { attributes: { healingid: "" } }`,
  exact: `  filters: [ { exact: { type: dev.cortex.diagnosis.requested } } ]`,
  prefix: `  filters: [ { prefix: { type: dev.cortex.remediation. } } ]`,
  suffix: `  filters: [ { suffix: { type: .failed } } ]`,
  all: `  filters: [ { all: [ { prefix: { type: dev.cortex. } }, { exact: { source: /cortex/chat } } ] } ]`,
  any: `  filters: [ { any: [ { exact: { type: dev.cortex.chat.delayed } }, { exact: { type: dev.cortex.error.reported } } ] } ]`,
  not: `  filters: [ { prefix: { type: dev.cortex.healing. } }, { not: { exact: { type: dev.cortex.healing.started } } } ]`,
  cesql: `  filters: [ { cesql: "type = 'dev.cortex.healing.started'" } ]`,
  'filters-win': `  filter: { attributes: { type: dev.cortex.healing.started } }\n  filters: [ { exact: { type: dev.cortex.chat.delayed } } ]`
};

const EVENTS: { id: string; type: string; source?: string; extensions?: Record<string, string>; expect: string[] }[] = [
  { id: 'e1', type: 'dev.cortex.healing.started', extensions: { subject: 'api' }, expect: ['attributes'] },
  {
    id: 'e2',
    type: 'dev.cortex.healing.started',
    extensions: { subject: 'web', healingid: 'h-1' },
    expect: ['attributes-any']
  },
  { id: 'e3', type: 'dev.cortex.diagnosis.requested', expect: ['exact'] },
  { id: 'e4', type: 'dev.cortex.remediation.scale_up.requested', expect: ['prefix'] },
  { id: 'e5', type: 'dev.cortex.healing.failed', expect: ['suffix', 'not'] },
  { id: 'e6', type: 'dev.cortex.error.reported', source: '/cortex/chat', expect: ['all', 'any'] },
  { id: 'e7', type: 'dev.cortex.chat.delayed', source: '/cortex/other', expect: ['any', 'filters-win'] },
  { id: 'e8', type: 'DEV.CORTEX.HEALING.FAILED', expect: [] }
];

describe('Local broker routing: every filter dialect end to end (real HTTP)', () => {
  let sub: Subscriber;
  let tb: TestBroker;

  beforeAll(async () => {
    sub = await startSubscriber();
    const yaml = Object.entries(TRIGGERS)
      .map(([name, spec]) => trigger(name, `${spec}\n  subscriber: { ref: { kind: Service, name: sub }, uri: /${name} }`))
      .join('');
    tb = await startTestBroker(yaml, { sub: sub.url });
    for (const e of EVENTS) {
      const res = await sendBinary(tb.broker.url, e);
      expect(res.status).toBe(202);
    }
    const expected = EVENTS.reduce((n, e) => n + e.expect.length, 0);
    await eventually(() => expect(tb.broker.stats().delivered).toBe(expected));
  });
  afterAll(async () => {
    await tb.stop();
    await sub.close();
  });

  for (const e of EVENTS) {
    it(`${e.id} (${e.type}) reaches exactly: ${e.expect.join(', ') || 'no Trigger'}`, () => {
      // Prepare
      const paths = sub.received.filter((r) => r.headers['ce-id'] === e.id).map((r) => r.url.slice(1));
      // Act
      const reached = [...paths].sort();
      // Assess
      expect(reached).toEqual([...e.expect].sort());
    });
  }

  it('warns that the cesql Trigger never matches, and it receives nothing', () => {
    // Prepare
    const warning = tb.lines.find((l) => l.level === 'warn' && String(l.msg).includes('cortex/cesql'));
    // Act
    const cesql = tb.broker.stats().triggers['cortex/cesql'];
    // Assess
    expect(warning?.msg).toMatch(/never matches: cesql filters are not evaluated/);
    expect(cesql).toBeUndefined();
    expect(sub.received.some((r) => r.url === '/cesql')).toBe(false);
  });

  it('counts an event that matches nothing as unrouted', () => {
    // Prepare: the events sent in beforeAll; e8 matches no Trigger (filters are case-sensitive)
    // Act
    const stats = tb.broker.stats();
    // Assess
    expect(stats.unrouted).toBe(1);
    expect(stats.accepted).toBe(EVENTS.length);
    expect(stats.triggers['cortex/any']).toMatchObject({ matched: 2, delivered: 2 });
  });
});
