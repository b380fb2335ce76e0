import { describe, expect, it } from 'vitest';
import { loadAll } from '../../../../functions/index.js';
import { halvesOf } from '../../../../local/stack/split.js';
import { localSecrets } from '../../../../local/stack/secrets.js';

/*
 * How the local stack runs a split function (the relay): one process answering for both Service names, or, as
 * replicas on Redis, its two halves apart with the role and the keys of each Service of knative/.
 */

const defs = await loadAll();
const relay = defs.find((d) => d.name === 'sse-relay')!;
const coordinator = defs.find((d) => d.name === 'healing-coordinator')!;
const secrets = localSecrets({});

describe('Local stack: split functions', () => {
  it('runs the relay as one process that also answers for sse-relay-ingest, with the audience the Triggers name', () => {
    // Act
    const [whole, ...rest] = halvesOf(relay, secrets, 'cortex', false);
    // Assess
    expect(rest).toEqual([]);
    expect(whole).toEqual({
      name: 'sse-relay',
      aliases: ['sse-relay-ingest'],
      env: {
        CORTEX_STREAM_KEY: secrets.keys.stream,
        CORTEX_EVENT_AUDIENCE: 'serving.knative.dev/service/cortex/sse-relay-ingest'
      }
    });
  });

  it('runs the ingest and the stream halves apart, each with its role; only the ingest holds the stream key', () => {
    // Act
    const halves = halvesOf(relay, secrets, 'cortex', true);
    // Assess
    expect(halves).toEqual([
      {
        name: 'sse-relay-ingest',
        aliases: [],
        env: {
          CORTEX_STREAM_KEY: secrets.keys.stream,
          CORTEX_EVENT_AUDIENCE: 'serving.knative.dev/service/cortex/sse-relay-ingest',
          CORTEX_RELAY_ROLE: 'ingest'
        }
      },
      { name: 'sse-relay', aliases: [], env: { CORTEX_RELAY_ROLE: 'stream' } }
    ]);
  });

  it('runs a function that is not split as itself, with its keys', () => {
    // Act
    const halves = halvesOf(coordinator, secrets, 'cortex', true);
    // Assess
    expect(halves).toEqual([
      {
        name: 'healing-coordinator',
        aliases: [],
        env: {
          CORTEX_APPROVAL_KEY: secrets.keys.approval,
          CORTEX_DIAGNOSIS_KEY: secrets.keys.diagnosis,
          CORTEX_REMEDIATION_KEY: secrets.keys.remediation,
          CORTEX_STREAM_KEY: secrets.keys.stream
        }
      }
    ]);
  });
});
