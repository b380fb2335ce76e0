import { stripFaultMarkers } from './faults.js';
import type { JsonSchema } from './wire.js';

/*
 * Builds a tool's `input` from its input_schema and the user's words, the way a model would fill it in:
 * required properties always, optional ones only when the user named them ("limit 5", "namespace: demo").
 * A free-text property (`query`, `question`…) gets the message text; numbers get their default, or a small sensible value.
 */

const FREE_TEXT_KEYS =
  /^(q|query|queries|search|search_?query|question|text|prompt|message|input|content|keywords?|terms?|topic|instructions?)$/i;
const COUNT_KEYS = /^(limit|count|max[_a-z]*|top_?k|n|k|num[_a-z]*|size|page_?size|results)$/i;
const URL_IN_TEXT = /https?:\/\/[^\s"'<>)\]]+/;
const QUOTED = /["“`']([^"”`']{1,200})["”`']/;

/** Words that follow a key in prose ("the namespace and the service") without being its value. */
const FILLER = new Set([
  'a',
  'an',
  'and',
  'or',
  'the',
  'to',
  'in',
  'of',
  'for',
  'with',
  'is',
  'are',
  'was',
  'it',
  'that',
  'this'
]);

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** `pod_name` is also said as "pod name" or "pod-name". */
const keyPattern = (key: string): string => escape(key).replace(/(?:\\-|_)/g, '[\\s_-]?');

/** The value the user gave for `key` in the text ("namespace demo", "limit=5", "city: Paris"), if any. */
export function valueFromText(key: string, text: string, numeric: boolean): string | undefined {
  const value = numeric ? '(-?\\d+(?:\\.\\d+)?)' : '["\'`]?([A-Za-z0-9][\\w./:@-]*)';
  const pattern = new RegExp(`\\b${keyPattern(key)}\\b\\s*(?:[:=]|is|of|named|called)?\\s*${value}`, 'i');
  const found = pattern.exec(text)?.[1];
  return found !== undefined && !FILLER.has(found.toLowerCase()) ? found : undefined;
}

/** The type a schema describes, resolving type arrays (`["string","null"]`) and the first `anyOf`/`oneOf` option. */
function resolve(schema: JsonSchema): { schema: JsonSchema; type: string | undefined } {
  const options = schema.anyOf ?? schema.oneOf;
  if (options && options.length > 0) return resolve(options.find((o) => o.type !== 'null') ?? options[0]!);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  if (type === undefined && schema.properties) return { schema, type: 'object' };
  return { schema, type };
}

function stringValue(key: string, schema: JsonSchema, text: string): string {
  const clean = stripFaultMarkers(text);
  if (schema.enum && schema.enum.length > 0) {
    const said = schema.enum.find((e) => typeof e === 'string' && new RegExp(`\\b${escape(e)}\\b`, 'i').test(clean));
    return String(said ?? schema.enum[0]);
  }
  const given = FREE_TEXT_KEYS.test(key) ? undefined : valueFromText(key, clean, false);
  if (given !== undefined) return given;
  if (typeof schema.default === 'string') return schema.default;
  if (schema.format === 'uri' || schema.format === 'url' || /url|uri/i.test(key)) {
    return URL_IN_TEXT.exec(clean)?.[0] ?? 'https://example.com';
  }
  if (FREE_TEXT_KEYS.test(key)) return clean;
  return QUOTED.exec(clean)?.[1] ?? clean;
}

function numberValue(key: string, schema: JsonSchema, text: string, integer: boolean): number {
  const given = valueFromText(key, stripFaultMarkers(text), true);
  let n = given !== undefined ? Number(given) : typeof schema.default === 'number' ? schema.default : undefined;
  n ??= COUNT_KEYS.test(key) ? 5 : (schema.minimum ?? 1);
  if (schema.minimum !== undefined) n = Math.max(schema.minimum, n);
  if (schema.maximum !== undefined) n = Math.min(schema.maximum, n);
  return integer ? Math.round(n) : n;
}

/** A value for one property, from its schema and the user's text. */
export function valueFor(key: string, raw: JsonSchema, text: string): unknown {
  if (raw.const !== undefined) return raw.const;
  const { schema, type } = resolve(raw);
  switch (type) {
    case 'integer':
    case 'number':
      return numberValue(key, schema, text, type === 'integer');
    case 'boolean':
      return typeof schema.default === 'boolean' ? schema.default : false;
    case 'array':
      if (Array.isArray(schema.default)) return schema.default;
      return (schema.minItems ?? 0) >= 1 && schema.items ? [valueFor(key, schema.items, text)] : [];
    case 'object':
      return buildInput(schema, text);
    case 'null':
      return null;
    default:
      return stringValue(key, schema, text);
  }
}

/** The `input` object for a tool call: required properties filled, optional ones only when the user gave them. */
export function buildInput(schema: JsonSchema, text: string): Record<string, unknown> {
  const required = new Set(schema.required ?? []);
  const input: Record<string, unknown> = {};
  for (const [key, prop] of Object.entries(schema.properties ?? {})) {
    if (required.has(key)) {
      input[key] = valueFor(key, prop, text);
      continue;
    }
    const { type } = resolve(prop);
    const numeric = type === 'integer' || type === 'number';
    if (
      (numeric || type === 'string') &&
      !FREE_TEXT_KEYS.test(key) &&
      valueFromText(key, stripFaultMarkers(text), numeric)
    ) {
      input[key] = valueFor(key, prop, text);
    }
  }
  return input;
}
