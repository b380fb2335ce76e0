import type { CloudEventRecord } from '../../shared/events/http.js';
import { isRetryable, parseRetryAfter } from './delivery-policy.js';
import type { HttpResponse } from '../../shared/runtime/http-client.js';
import { carriesEvent, readEvent } from './read-event.js';

/*
 * What a subscriber's answer means (knative/eventing broker filter_handler.go `writeResponse`, data-plane.md):
 * - 2xx with a CloudEvent (binary `ce-specversion` or `application/cloudevents+json`): delivered, and the event is a
 *   reply to route back into the broker;
 * - 2xx with an empty body: delivered, no reply;
 * - 2xx with any other body: a failure, reported as broker-filter does, as 502 ("the response MUST be either empty
 *   or a valid CloudEvent"), so it is retried and then dead-lettered;
 * - anything else: a failure with that status, retried or not per the acknowledgement table.
 */

export type AttemptOutcome =
  | { ok: true; reply: CloudEventRecord | undefined }
  | {
      ok: false;
      /** Undefined when there was no response (connection error, timeout). */
      status: number | undefined;
      body: Buffer;
      reason: string;
      retryable: boolean;
      retryAfterMs: number | undefined;
    };

const BAD_REPLY = 502;

function badReply(body: Buffer, reason: string): AttemptOutcome {
  return { ok: false, status: BAD_REPLY, body, reason, retryable: true, retryAfterMs: undefined };
}

/** Classifies a subscriber response. `now` is for Retry-After dates. */
export function classifyResponse(res: HttpResponse, now: number): AttemptOutcome {
  if (res.status < 200 || res.status > 299) {
    const retryAfter = res.headers['retry-after'];
    return {
      ok: false,
      status: res.status,
      body: res.body,
      reason: `subscriber answered ${res.status}`,
      retryable: isRetryable(res.status),
      retryAfterMs: parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, now)
    };
  }
  if (
    String(res.headers['content-type'] ?? '')
      .toLowerCase()
      .startsWith('application/cloudevents-batch+json')
  ) {
    return badReply(res.body, 'reply is a CloudEvents batch; a reply carries one event');
  }
  if (carriesEvent(res.headers)) {
    if (res.truncated) return badReply(res.body, 'reply event is larger than the body limit');
    try {
      return { ok: true, reply: readEvent(res.headers, res.body.toString('utf8')) };
    } catch (err) {
      return badReply(res.body, `reply is not a valid CloudEvent: ${(err as Error).message}`);
    }
  }
  if (res.body.length === 0) return { ok: true, reply: undefined };
  return badReply(
    res.body,
    `${res.status} with a body that is not a CloudEvent: the response must be empty or a CloudEvent`
  );
}
