import { InvalidEventError, UnsupportedMediaTypeError } from './errors.js';
import { attributeProblems, CORE_ATTRIBUTES } from './attributes.js';
import { encodeBinary, encodeStructured, type WireMessage } from './wire.js';

/** A CloudEvent as a plain, frozen-free record: attributes, extensions and `data`. */
export interface CloudEventRecord {
  specversion: string;
  id: string;
  source: string;
  type: string;
  time?: string;
  datacontenttype?: string;
  dataschema?: string;
  subject?: string;
  data?: unknown;
  [extension: string]: unknown;
}

export type Headers = Record<string, string | string[] | undefined>;

const header = (headers: Headers, name: string): string | undefined => {
  const v = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
};

/** Node's servers give lower-case names already: those headers are used as they are (the broker's hot path). */
function lowerCaseKeys(headers: Headers): Headers {
  for (const k in headers) {
    if (k !== k.toLowerCase()) return Object.fromEntries(Object.entries(headers).map(([n, v]) => [n.toLowerCase(), v]));
  }
  return headers;
}

/** Binary-mode header values are percent-encoded outside printable ASCII (CloudEvents HTTP binding §3.1.3.2). */
function percentDecode(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function binaryAttributes(headers: Headers): Record<string, unknown> {
  const attrs: Record<string, unknown> = {};
  for (const name in headers) {
    if (!name.startsWith('ce-')) continue;
    const value = headers[name];
    attrs[name.slice(3)] = percentDecode(String(Array.isArray(value) ? value[0] : value));
  }
  const ct = header(headers, 'content-type');
  if (ct !== undefined) attrs.datacontenttype = ct;
  return attrs;
}

function structuredAttributes(body: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (err) {
    throw new InvalidEventError(`malformed JSON: ${(err as Error).message}`, { cause: err });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new InvalidEventError('a structured CloudEvent must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

function dropNulls(attrs: Record<string, unknown>): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const name in attrs) if (attrs[name] !== null && attrs[name] !== undefined) kept[name] = attrs[name];
  return kept;
}

/** Binary mode: the body is the data, parsed when the content type is JSON. */
function binaryData(record: CloudEventRecord, body: string): void {
  if (body.length === 0) return;
  if (!isJson(record.datacontenttype)) {
    record.data = body;
    return;
  }
  try {
    record.data = JSON.parse(body);
  } catch (err) {
    throw new InvalidEventError(`data: not valid JSON for ${record.datacontenttype}: ${(err as Error).message}`, {
      cause: err
    });
  }
}

/** Structured mode: `data` as given, or `data_base64` decoded. */
function structuredData(record: CloudEventRecord): void {
  if (typeof record.data_base64 !== 'string') return;
  const bytes = Buffer.from(record.data_base64, 'base64');
  delete record.data_base64;
  if (!isJson(record.datacontenttype)) {
    record.data = bytes;
    return;
  }
  try {
    record.data = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new InvalidEventError(`data_base64: not valid JSON for ${record.datacontenttype}`, { cause: err });
  }
}

/**
 * Parses an HTTP request into a CloudEvent, binary or structured mode, with strict validation of the raw
 * attributes. The event is kept exactly as it arrived: nothing is filled in (no id, no time). Throws
 * InvalidEventError (400) naming what is wrong, or UnsupportedMediaTypeError (415) for batches.
 *
 * @example
 * const ev = fromHttp(req.headers, bodyText); // bodyText from express.text({ type: () => true })
 */
export function fromHttp(rawHeaders: Headers, body: string): CloudEventRecord {
  const headers = lowerCaseKeys(rawHeaders);
  const contentType = (header(headers, 'content-type') ?? '').toLowerCase();
  if (contentType.startsWith('application/cloudevents-batch+json')) {
    throw new UnsupportedMediaTypeError('batched CloudEvents are not accepted: send one event per request');
  }
  const structured = contentType.startsWith('application/cloudevents+json');
  if (!structured && header(headers, 'ce-specversion') === undefined) {
    throw new InvalidEventError(
      'no CloudEvent detected: send binary mode (ce-* headers) or structured mode (content-type application/cloudevents+json)'
    );
  }
  const attrs = structured ? structuredAttributes(body) : binaryAttributes(headers);
  const problems = attributeProblems(attrs);
  if (problems.length > 0) throw new InvalidEventError(`invalid CloudEvent: ${problems.join('; ')}`, { data: { problems } });
  const record = dropNulls(attrs) as CloudEventRecord;
  if (structured) structuredData(record);
  else binaryData(record, body);
  return record;
}

const isJson = (ct: string | undefined): boolean => ct === undefined || /[/+]json(\s*;|$)/i.test(ct);

/**
 * A CloudEvents 0.3 record as the same event in 1.0, the only version handlers see (brokers pass 0.3 on unchanged):
 * `schemaurl` becomes `dataschema`, and base64 `data` (`datacontentencoding: base64`, structured mode) is decoded.
 * A 1.0 record is returned as it is.
 *
 * @example
 * toV1({ specversion: '0.3', id: '1', source: '/x', type: 't', schemaurl: 'https://s' }).dataschema; // → 'https://s'
 */
export function toV1(record: CloudEventRecord): CloudEventRecord {
  if (record.specversion !== '0.3') return record;
  const { schemaurl, datacontentencoding, ...rest } = record;
  const out: CloudEventRecord = { ...rest, specversion: '1.0' };
  if (typeof schemaurl === 'string') out.dataschema = schemaurl;
  if (typeof datacontentencoding === 'string' && typeof out.data === 'string') {
    const bytes = Buffer.from(out.data, 'base64');
    if (!isJson(out.datacontenttype)) out.data = bytes;
    else {
      try {
        out.data = JSON.parse(bytes.toString('utf8'));
      } catch (err) {
        throw new InvalidEventError(`data: base64 data is not valid JSON for ${out.datacontenttype}`, { cause: err });
      }
    }
  }
  return out;
}

/** A message with its body as text (bytes as UTF-8), for callers that log or compare it. */
function asText(m: WireMessage): { headers: Record<string, string>; body: string } {
  return { headers: m.headers, body: typeof m.body === 'string' ? m.body : m.body.toString('utf8') };
}

/** Serialises a record in binary mode: `ce-*` headers and the data as the body (shared/events/wire.ts). */
export function toBinary(record: CloudEventRecord): { headers: Record<string, string>; body: string } {
  return asText(encodeBinary(record));
}

/** Serialises a record in structured mode (`application/cloudevents+json`). */
export function toStructured(record: CloudEventRecord): { headers: Record<string, string>; body: string } {
  return asText(encodeStructured(record));
}

/** The attributes of a record without `data`: what a log line or a routing filter looks at. */
export function attributesOf(record: CloudEventRecord): Record<string, unknown> {
  // A loop, not a rest pattern: V8 copies with excluded keys on a slow path, and the broker calls this per event.
  const attrs: Record<string, unknown> = {};
  for (const name in record) if (name !== 'data' && name !== 'data_base64') attrs[name] = record[name];
  return attrs;
}

export { CORE_ATTRIBUTES };
