/*
 * MCP input schemas as the Messages API accepts them. An MCP server may describe a tool's input with any JSON Schema,
 * but the API wants `type: "object"` at the top and rejects `oneOf`/`anyOf`/`allOf` there with a 400 that fails the
 * whole request: every message carries every tool, so one such tool would take the conversation down. Combinators
 * of object schemas are folded into one object (allOf: everything required; anyOf/oneOf: what every branch
 * requires, with the alternatives said in the description, and the server still validates the call). A schema that
 * cannot be expressed that way is refused, and the pool leaves the tool out with a warning.
 */

export type JsonObject = Record<string, unknown>;

export type NormalisedSchema =
  { ok: true; schema: JsonObject & { type: 'object' }; note?: string } | { ok: false; reason: string };

const COMBINATORS = ['allOf', 'anyOf', 'oneOf'] as const;
type Combinator = (typeof COMBINATORS)[number];

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** A branch that can be folded: an object schema, or a bare constraint (`{required: [...]}`) on the parent object. */
function objectBranch(branch: unknown): JsonObject | undefined {
  if (!isObject(branch)) return undefined;
  if (branch.type !== undefined && branch.type !== 'object') return undefined;
  if (COMBINATORS.some((k) => k in branch)) return undefined;
  return branch;
}

function mergeProperties(target: JsonObject, branch: JsonObject): void {
  const props = isObject(branch.properties) ? branch.properties : {};
  const into = (target.properties ??= {}) as JsonObject;
  for (const [key, value] of Object.entries(props)) if (!(key in into)) into[key] = value;
}

/** Folds one top-level combinator into `schema`; undefined when a branch is not an object schema. */
function fold(schema: JsonObject, key: Combinator): { schema: JsonObject; note?: string } | undefined {
  const branches = schema[key];
  if (!Array.isArray(branches) || branches.length === 0) return undefined;
  const objects = branches.map(objectBranch);
  if (objects.some((b) => b === undefined)) return undefined;
  const { [key]: _folded, ...rest } = schema;
  const out: JsonObject = { ...rest, properties: { ...(isObject(rest.properties) ? rest.properties : {}) } };
  const required = new Set(strings(rest.required));
  const perBranch = (objects as JsonObject[]).map((b) => strings(b.required));
  for (const b of objects as JsonObject[]) mergeProperties(out, b);
  if (key === 'allOf') perBranch.flat().forEach((r) => required.add(r));
  else perBranch.reduce((common, r) => common.filter((x) => r.includes(x))).forEach((r) => required.add(r));
  if (required.size > 0) out.required = [...required];
  if (key === 'allOf') return { schema: out };
  const options = perBranch.map((r) => (r.length ? r.join(' + ') : 'no field')).join('; or ');
  return { schema: out, note: `Give ${key === 'oneOf' ? 'exactly one' : 'at least one'} of: ${options}.` };
}

/**
 * The schema Claude gets for an MCP tool's `inputSchema`.
 *
 * @example
 * normaliseInputSchema({ type: 'object', anyOf: [{ required: ['id'] }, { required: ['name'] }] });
 * // { ok: true, schema: { type: 'object', properties: {} }, note: 'Give at least one of: id; or name.' }
 */
export function normaliseInputSchema(input: unknown): NormalisedSchema {
  if (input === undefined || input === null) return { ok: true, schema: { type: 'object', properties: {} } };
  if (!isObject(input)) return { ok: false, reason: 'the input schema is not a JSON object' };
  if (input.type !== undefined && input.type !== 'object') {
    return { ok: false, reason: `the input schema describes ${JSON.stringify(input.type)}, not an object` };
  }
  let schema: JsonObject = { ...input };
  const notes: string[] = [];
  for (const key of COMBINATORS) {
    if (!(key in schema)) continue;
    const folded = fold(schema, key);
    if (!folded) return { ok: false, reason: `its top-level ${key} has branches that are not object schemas` };
    schema = folded.schema;
    if (folded.note) notes.push(folded.note);
  }
  const result: JsonObject & { type: 'object' } = { ...schema, type: 'object' };
  return notes.length > 0 ? { ok: true, schema: result, note: notes.join(' ') } : { ok: true, schema: result };
}
