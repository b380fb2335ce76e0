import { describe, expect, it } from 'vitest';
import { loadAll } from '../../../../functions/index.js';
import { planReplicas } from '../../../../local/stack/replicas.js';
import { loadConfig } from '../../../../shared/runtime/config.js';
import { ConfigError } from '../../../../shared/runtime/errors.js';

const defs = await loadAll();

describe('Local stack: CORTEX_REPLICAS', () => {
  it('parses per-function counts and the wildcard', () => {
    // Act
    const { replicas } = loadConfig({ CORTEX_REPLICAS: 'healing-coordinator=3, sse-relay=1,*=2' }).local;
    // Assess
    expect(replicas).toEqual({ 'healing-coordinator': 3, 'sse-relay': 1, '*': 2 });
  });

  it.each(['healing-coordinator', 'x=0', 'x=17', 'Bad_Name=2', 'a=b'])('refuses "%s" with an example', (value) => {
    // Act
    const load = (): unknown => loadConfig({ CORTEX_REPLICAS: value });
    // Assess
    expect(load).toThrow(ConfigError);
    expect(load).toThrow('e.g. healing-coordinator=3,sse-relay=2');
  });

  it('runs the named functions as processes, and leaves the others in the stack process', () => {
    // Act
    const plan = planReplicas(defs, { 'healing-coordinator': 3, 'error-intake': 3 }, true);
    // Assess
    expect([...plan]).toEqual([
      ['error-intake', 3],
      ['healing-coordinator', 3]
    ]);
  });

  it('gives every function the wildcard, except one replica to those that keep state in their process', () => {
    // Act
    const plan = planReplicas(defs, { '*': 2 }, true);
    // Assess
    expect(plan.size).toBe(defs.length);
    expect(plan.get('healing-coordinator')).toBe(2);
    expect(plan.get('check-pod-status')).toBe(2);
    expect([...plan].filter(([, n]) => n === 1).map(([f]) => f)).toEqual(
      defs.filter((d) => d.sharedState === 'process').map((d) => d.name)
    );
  });

  it('refuses more than one replica of a function that keeps state in its process', () => {
    // Prepare: every function of the stack shares its state through Redis now; one that would not
    const inProcess = { ...defs.find((d) => d.name === 'sse-relay')!, sharedState: 'process' as const };
    const withIt = [...defs.filter((d) => d.name !== 'sse-relay'), inProcess];
    // Act
    const plan = (): unknown => planReplicas(withIt, { 'sse-relay': 2 }, true);
    // Assess
    expect(plan).toThrow(ConfigError);
    expect(plan).toThrow('sse-relay, which keeps its state in its own process');
  });

  it('refuses replicas of a function that shares state through Redis when there is no Redis', () => {
    // Act
    const explicit = (): unknown => planReplicas(defs, { 'healing-coordinator': 2 }, false);
    const wildcard = (): unknown => planReplicas(defs, { '*': 2 }, false);
    // Assess
    expect(explicit).toThrow('set CORTEX_REDIS_URL (or run npm run start:scaled');
    expect(wildcard).toThrow('set CORTEX_REDIS_URL');
    expect(planReplicas(defs, { 'healing-coordinator': 1, 'error-intake': 4 }, false).get('error-intake')).toBe(4);
  });

  it('names a function it does not know', () => {
    // Act / Assess
    expect(() => planReplicas(defs, { 'healing-coordinatr': 2 }, true)).toThrow(
      'CORTEX_REPLICAS names healing-coordinatr, not a Cortex function'
    );
  });
});
