import { describe, expect, it } from 'vitest';
import { buildInput, valueFromText } from '../../../../local/claude-standin/schema-input.js';
import type { JsonSchema } from '../../../../local/claude-standin/wire.js';

describe('Tool input from input_schema (local/claude-standin/schema-input)', () => {
  it('gives a free-text property the message text, without fault markers', () => {
    // Prepare
    const schema: JsonSchema = { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] };
    // Act
    const input = buildInput(schema, 'search docs for  retry policy [fault:overloaded]');
    // Assess
    expect(input).toEqual({ query: 'search docs for retry policy' });
  });

  it('fills required numbers from their default, a count-like name, or the minimum', () => {
    // Prepare
    const schema: JsonSchema = {
      type: 'object',
      properties: {
        limit: { type: 'integer' },
        page: { type: 'integer', minimum: 1 },
        threshold: { type: 'number', default: 0.5 },
        verbose: { type: 'boolean' }
      },
      required: ['limit', 'page', 'threshold', 'verbose']
    };
    // Act
    const input = buildInput(schema, 'anything');
    // Assess
    expect(input).toEqual({ limit: 5, page: 1, threshold: 0.5, verbose: false });
  });

  it('takes values the user named, and adds optional properties only when named', () => {
    // Prepare
    const schema: JsonSchema = {
      type: 'object',
      properties: {
        namespace: { type: 'string' },
        service: { type: 'string' },
        tail_lines: { type: 'integer', maximum: 100 },
        container: { type: 'string' }
      },
      required: ['namespace', 'service']
    };
    // Act
    const input = buildInput(schema, 'show logs for service api in namespace demo, tail lines 500');
    // Assess
    expect(input).toEqual({ namespace: 'demo', service: 'api', tail_lines: 100 });
  });

  it('picks an enum value the user mentioned, else the first one', () => {
    // Prepare
    const schema: JsonSchema = {
      type: 'object',
      properties: {
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
        mode: { enum: ['fast', 'slow'], type: 'string' }
      },
      required: ['unit', 'mode']
    };
    // Act
    const input = buildInput(schema, 'weather in Paris in fahrenheit please');
    // Assess
    expect(input).toEqual({ unit: 'fahrenheit', mode: 'fast' });
  });

  it('handles nullable types, anyOf, const, nested objects, arrays and URLs', () => {
    // Prepare
    const schema: JsonSchema = {
      type: 'object',
      properties: {
        city: { type: ['string', 'null'] },
        kind: { const: 'pod' },
        id: { anyOf: [{ type: 'null' }, { type: 'integer' }] },
        target: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
        tags: { type: 'array', items: { type: 'string' }, minItems: 1 },
        url: { type: 'string', format: 'uri' }
      },
      required: ['city', 'kind', 'id', 'target', 'tags', 'url']
    };
    // Act
    const input = buildInput(schema, 'fetch https://example.org/a?b=1 for "Lyon", name is web');
    // Assess
    expect(input).toEqual({
      city: 'Lyon',
      kind: 'pod',
      id: 1,
      target: { name: 'web' },
      tags: ['Lyon'],
      url: 'https://example.org/a?b=1'
    });
  });

  it('does not mistake filler words for values', () => {
    // Act
    const filler = valueFromText('namespace', 'check the namespace and the service', false);
    const given = valueFromText('namespace', 'namespace: demo', false);
    // Assess
    expect(filler).toBeUndefined();
    expect(given).toBe('demo');
  });
});
