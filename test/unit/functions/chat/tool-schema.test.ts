import { describe, expect, it } from 'vitest';
import { normaliseInputSchema } from '../../../../functions/chat/tool-schema.js';

describe('Function: chat normalises MCP input schemas for the Messages API', () => {
  it.each([
    ['no schema', undefined, { type: 'object', properties: {} }],
    ['a plain object schema', { type: 'object', properties: { a: { type: 'string' } } }, undefined],
    ['an object schema without type', { properties: { a: { type: 'string' } } }, undefined]
  ])('keeps %s as an object schema', (_what, input, expected) => {
    // Act
    const out = normaliseInputSchema(input);
    // Assess
    expect(out).toEqual({ ok: true, schema: expected ?? { ...(input as object), type: 'object' } });
  });

  it('folds allOf: the properties and the required fields of every branch', () => {
    // Prepare
    const input = {
      type: 'object',
      allOf: [
        { properties: { a: { type: 'string' } }, required: ['a'] },
        { type: 'object', properties: { b: { type: 'number' } }, required: ['b'] }
      ]
    };
    // Act
    const out = normaliseInputSchema(input);
    // Assess
    expect(out).toEqual({
      ok: true,
      schema: { type: 'object', properties: { a: { type: 'string' }, b: { type: 'number' } }, required: ['a', 'b'] }
    });
  });

  it('folds oneOf: what all branches require stays required, the alternatives go into the description', () => {
    // Prepare
    const input = {
      type: 'object',
      properties: { mode: { type: 'string' } },
      required: ['mode'],
      oneOf: [
        { properties: { id: { type: 'string' } }, required: ['id', 'scope'] },
        { properties: { name: { type: 'string' } }, required: ['name', 'scope'] }
      ]
    };
    // Act
    const out = normaliseInputSchema(input);
    // Assess
    expect(out).toEqual({
      ok: true,
      schema: {
        type: 'object',
        properties: { mode: { type: 'string' }, id: { type: 'string' }, name: { type: 'string' } },
        required: ['mode', 'scope']
      },
      note: 'Give exactly one of: id + scope; or name + scope.'
    });
  });

  it.each([
    ['a non-object type', { type: 'array', items: {} }, 'the input schema describes "array", not an object'],
    ['a branch of another type', { anyOf: [{ type: 'string' }, { type: 'object' }] }, 'its top-level anyOf has branches'],
    ['nested combinators in a branch', { oneOf: [{ anyOf: [{}] }] }, 'its top-level oneOf has branches'],
    ['not an object at all', 'string', 'the input schema is not a JSON object']
  ])('refuses %s', (_what, input, reason) => {
    // Act
    const out = normaliseInputSchema(input);
    // Assess
    expect(out.ok).toBe(false);
    expect(out.ok ? '' : out.reason).toContain(reason);
  });
});
