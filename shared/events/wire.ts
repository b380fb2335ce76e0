import type { CloudEventRecord } from './http.js';

/*
 * Outgoing HTTP messages for a CloudEvent record, written as they are: what every function publishes (publish.ts) and
 * what the broker delivers. Nothing is filled in or rewritten (the SDK's CloudEvent constructor stamps a `time` on
 * events that have none and rewrites `time` to milliseconds; a broker must forward events as they arrived). Not the
 * SDK: loading it (with uuid, json-bigint, bignumber.js, ajv-formats) was ~22 ms of a function's cold start on this
 * machine, for serialisation this simple (README "Performance").
 *
 * Binary mode puts each attribute in a `ce-` header. A header carries printable ASCII only; rather than
 * percent-encoding (which the JS SDK does not decode), an event with any other character in an attribute is sent in
 * structured mode, which every receiver must accept (CloudEvents HTTP binding).
 */

/** An HTTP message to send: what the broker and every function's publisher post (shared/runtime/http-client.ts). */
export interface WireMessage {
  headers: Record<string, string>;
  body: string | Buffer;
}

const HEADER_SAFE = /^[\x20-\x7e]*$/;

const isJsonType = (ct: string | undefined): boolean => ct === undefined || /[/+]json(\s*;|$)/i.test(ct);

function dataBody(record: CloudEventRecord): { body: string | Buffer; contentType: string | undefined } {
  const { data, datacontenttype } = record;
  if (data === undefined || data === null) return { body: '', contentType: datacontenttype };
  if (Buffer.isBuffer(data)) return { body: data, contentType: datacontenttype };
  if (typeof data === 'string' && (datacontenttype === undefined || !isJsonType(datacontenttype))) {
    return { body: data, contentType: datacontenttype };
  }
  return { body: JSON.stringify(data), contentType: datacontenttype ?? 'application/json' };
}

/** Structured mode: the whole event as `application/cloudevents+json`; bytes travel as `data_base64`. */
export function encodeStructured(record: CloudEventRecord): WireMessage {
  const { data, ...attrs } = record;
  const json: Record<string, unknown> = attrs;
  if (Buffer.isBuffer(data)) json.data_base64 = data.toString('base64');
  else if (data !== undefined) json.data = data;
  return { headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' }, body: JSON.stringify(json) };
}

/**
 * Binary mode (`ce-*` headers, data as the body), or structured mode when an attribute does not fit in a header.
 * `arrivedData`: the body of an event that arrived in binary mode, forwarded byte for byte (as Knative's broker does)
 * instead of serialising the parsed data again.
 */
export function encodeBinary(record: CloudEventRecord, arrivedData?: Buffer): WireMessage {
  const headers: Record<string, string> = {};
  for (const name in record) {
    if (name === 'data' || name === 'data_base64' || name === 'datacontenttype') continue;
    const value = record[name];
    if (value === undefined || value === null) continue;
    const text = String(value);
    if (!HEADER_SAFE.test(text)) return encodeStructured(record);
    headers[`ce-${name}`] = text;
  }
  const { body, contentType } = arrivedData ? { body: arrivedData, contentType: record.datacontenttype } : dataBody(record);
  if (contentType !== undefined) {
    if (!HEADER_SAFE.test(contentType)) return encodeStructured(record);
    headers['content-type'] = contentType;
  }
  return { headers, body };
}
