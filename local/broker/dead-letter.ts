import { EXTENSIONS } from '../../shared/events/attributes.js';
import type { CloudEventRecord } from '../../shared/events/http.js';

/*
 * What the dead-letter sink receives: the original event plus the knative error extensions, as
 * knative/eventing pkg/kncloudevents/event_dispatcher.go builds them:
 * - knativeerrordest: the URL that failed;
 * - knativeerrorcode: the HTTP status of the last attempt. With no response at all (connection refused, timeout)
 *   Knative reports 500 and the body "dispatch error: <reason>"; we do the same, so a dead-letter consumer reads
 *   the same values locally and on a cluster;
 * - knativeerrordata: the last response body, base64, cut to 1024 characters; left out when the body was empty.
 */

/** Knative's cap on knativeerrordata (attributes.KnativeErrorDataExtensionMaxLength). */
export const ERROR_DATA_MAX_LENGTH = 1024;

/** The last failure of a delivery, as the dead-letter extensions report it. */
export interface DeliveryFailure {
  url: string;
  /** Undefined when there was no response (network error, timeout). */
  status: number | undefined;
  body: Buffer;
  /** Why there was no response, or why a 2xx response was not acceptable. */
  reason: string;
}

/** The three knative error extensions for a failure. */
export function deadLetterExtensions(failure: DeliveryFailure): Record<string, string | number> {
  const noResponse = failure.status === undefined;
  const body = noResponse ? Buffer.from(`dispatch error: ${failure.reason}`) : failure.body;
  const ext: Record<string, string | number> = {
    [EXTENSIONS.errorDest]: failure.url,
    [EXTENSIONS.errorCode]: failure.status ?? 500
  };
  // Encoding only the bytes that survive the cut keeps this cheap for large bodies; 768 bytes → 1024 characters.
  const data = body.subarray(0, (ERROR_DATA_MAX_LENGTH / 4) * 3).toString('base64');
  if (data.length > 0) ext[EXTENSIONS.errorData] = data.slice(0, ERROR_DATA_MAX_LENGTH);
  return ext;
}

/** The event for the dead-letter sink: the original event with the error extensions set. */
export function deadLetterEvent(original: CloudEventRecord, failure: DeliveryFailure): CloudEventRecord {
  return { ...original, ...deadLetterExtensions(failure) };
}
