import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Events } from '../../../../shared/events/catalog.js';
import { defineFunction } from '../../../../shared/runtime/define-function.js';
import { run, type RunningFunction } from '../../../../shared/runtime/run.js';
import { startFakeSink, type FakeSink } from '../../../fakes/sink.js';
import { errorReported, postEvent } from '../../../helpers/events.js';

/*
 * A handler that changes the world (like a remediation) must not run twice because publishing its answer failed:
 * the second run would see the changed world and answer differently ("noop" instead of "applied").
 */
describe('Runtime: redelivery after a failed publish', () => {
  let sink: FakeSink;
  let fn: RunningFunction;
  let runs = 0;

  beforeAll(async () => {
    sink = await startFakeSink();
    const def = defineFunction({
      name: 'world-changer',
      description: 'answers differently the second time, like a remediation whose first run already acted',
      on: [Events.ErrorReported],
      emits: [Events.HealingRequested],
      async handle(event) {
        runs++;
        return [
          Events.HealingRequested.intent({
            target: { namespace: 'demo', service: 'mcp-demo' },
            category: 'mcp_unreachable',
            reportIds: [event.id],
            sessionIds: [],
            message: runs === 1 ? 'applied' : 'noop'
          })
        ];
      }
    });
    fn = await run(def, { overrides: { PORT: '0', HOST: '127.0.0.1', K_SINK: sink.url, CORTEX_LOG_LEVEL: 'silent' } });
  });
  afterAll(async () => {
    await fn.stop();
    await sink.close();
  });

  it('publishes what the first attempt decided, with the same id, without running the handler again', async () => {
    // Prepare
    const event = errorReported({}, 'once-1');
    sink.answer(503);
    // Act
    const first = await postEvent(fn.url, event);
    sink.answer(202);
    const second = await postEvent(fn.url, event);
    const third = await postEvent(fn.url, event);
    // Assess
    expect([first.status, second.status, third.status]).toEqual([503, 202, 202]);
    expect(runs).toBe(1);
    expect(sink.events).toHaveLength(1);
    expect(sink.events[0]!.data).toMatchObject({ message: 'applied' });
  });
});
