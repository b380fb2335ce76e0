import { fromHttp, type CloudEventRecord, type Headers } from '../../shared/events/http.js';

/**
 * Strict CloudEvent parsing (shared fromHttp: 400 naming the attribute, 415 for batches), keeping the event as it
 * arrived: the SDK stamps a `time` on a binary-mode event that has none, and a broker must not add attributes.
 */
export function readEvent(headers: Headers, body: string): CloudEventRecord {
  const record = fromHttp(headers, body);
  if (headers['ce-time'] === undefined && headers['ce-specversion'] !== undefined && !isStructured(headers)) {
    delete record.time;
  }
  return record;
}

/** True when the content type says structured mode (`application/cloudevents+json`). */
export function isStructured(headers: Headers): boolean {
  const ct = headers['content-type'];
  return typeof ct === 'string' && ct.toLowerCase().startsWith('application/cloudevents+json');
}

/** True when a response or request carries a CloudEvent in either mode (Knative's "recognised encoding"). */
export function carriesEvent(headers: Headers): boolean {
  return headers['ce-specversion'] !== undefined || isStructured(headers);
}
