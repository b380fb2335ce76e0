import { CloudEvent, HTTP } from 'cloudevents';
import { InvalidEventError, UnsupportedMediaTypeError } from '../runtime/errors.js';
import { attributeProblems, CORE_ATTRIBUTES } from './attributes.js';

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

function lowerCaseKeys(headers: Headers): Headers {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

function binaryAttributes(headers: Headers): Record<string, unknown> {
  const attrs: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith('ce-')) attrs[name.slice(3)] = Array.isArray(value) ? value[0] : value;
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
  return Object.fromEntries(Object.entries(attrs).filter(([, v]) => v !== null && v !== undefined));
}

/**
 * Parses an HTTP request into a CloudEvent, binary or structured mode, with strict validation of the raw
 * attributes first. Throws InvalidEventError (400) naming what is wrong, or UnsupportedMediaTypeError (415) for batches.
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
  let event: CloudEvent<unknown>;
  try {
    const parsed = HTTP.toEvent({ headers, body });
    event = (Array.isArray(parsed) ? parsed[0] : parsed) as CloudEvent<unknown>;
    event.validate();
  } catch (err) {
    throw new InvalidEventError(`invalid CloudEvent: ${(err as Error).message}`, { cause: err });
  }
  return toRecord(event, structured ? attrs : undefined);
}

function toRecord(event: CloudEvent<unknown>, structuredAttrs?: Record<string, unknown>): CloudEventRecord {
  const record = dropNulls({ ...event.toJSON() }) as CloudEventRecord;
  // The SDK stamps a time when none was sent; keep the event as it arrived.
  if (structuredAttrs && structuredAttrs.time == null) delete record.time;
  if (record.data === undefined && typeof record.data_base64 === 'string') {
    record.data = Buffer.from(record.data_base64, 'base64');
    delete record.data_base64;
  }
  if (Buffer.isBuffer(record.data) && isJson(record.datacontenttype)) {
    try {
      record.data = JSON.parse(record.data.toString('utf8'));
    } catch (err) {
      throw new InvalidEventError(`data: not valid JSON for ${record.datacontenttype}`, { cause: err });
    }
  }
  return record;
}

const isJson = (ct: string | undefined): boolean => ct === undefined || /[/+]json(\s*;|$)/i.test(ct);

function toSdkEvent(record: CloudEventRecord): CloudEvent<unknown> {
  return new CloudEvent<unknown>({ ...record }, false);
}

/** Serialises a record in binary mode: `ce-*` headers and the data as the body. */
export function toBinary(record: CloudEventRecord): { headers: Record<string, string>; body: string } {
  const m = HTTP.binary(toSdkEvent(record));
  return { headers: m.headers as Record<string, string>, body: bodyText(m.body) };
}

/** Serialises a record in structured mode (`application/cloudevents+json`). */
export function toStructured(record: CloudEventRecord): { headers: Record<string, string>; body: string } {
  const m = HTTP.structured(toSdkEvent(record));
  return { headers: m.headers as Record<string, string>, body: bodyText(m.body) };
}

function bodyText(body: unknown): string {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  return JSON.stringify(body);
}

/** The attributes of a record without `data`: what a log line or a routing filter looks at. */
export function attributesOf(record: CloudEventRecord): Record<string, unknown> {
  const { data: _data, data_base64: _b64, ...attrs } = record;
  return attrs;
}

export { CORE_ATTRIBUTES };
