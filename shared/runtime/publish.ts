import type { CloudEventRecord } from '../events/http.js';
import { encodeBinary } from '../events/wire.js';
import type { TokenSource } from '../trust/token-file.js';
import { TransientError } from './errors.js';
import { createHttpClient, type HttpClient } from './http-client.js';

/** Sends one stamped event to the sink (the Broker): resolves on 2xx, throws TransientError (503) otherwise. */
export type Publish = (event: CloudEventRecord) => Promise<void>;

/** How much of a refusal's body is kept for the error message. */
const MAX_ANSWER_BYTES = 4096;

/**
 * Publishes in binary mode over node:http with keep-alive, a timeout and a status check. The SDK's
 * `emitterFor(httpTransport())` resolves on any status and has no timeout, so it is not used; `fetch` (undici) was
 * the largest single CPU cost of a healing on the local stack (its ~94 hops), several times node:http's per request.
 *
 * @example
 * const publish = createPublisher({ sink: config.sink, timeoutMs: 5000 });
 * await publish(stamped);
 */
export function createPublisher(opts: {
  sink: string | undefined;
  timeoutMs: number;
  client?: HttpClient;
  /** With Eventing's OIDC: the token of the function's SinkBinding identity, sent as `Authorization: Bearer`. */
  token?: TokenSource | undefined;
}): Publish {
  let client = opts.client;
  return async (event) => {
    if (!opts.sink) throw new TransientError('no sink configured (K_SINK is not set): cannot publish');
    client ??= createHttpClient({ maxSocketsPerOrigin: 64 });
    const message = encodeBinary(event);
    if (opts.token) message.headers.authorization = `Bearer ${await opts.token()}`;
    let res;
    try {
      res = await client.post(opts.sink, message, { timeoutMs: opts.timeoutMs, maxBodyBytes: MAX_ANSWER_BYTES });
    } catch (err) {
      throw new TransientError(`publishing ${event.type} to ${opts.sink} failed: ${(err as Error).message}`, { cause: err });
    }
    if (res.status < 200 || res.status > 299) {
      throw new TransientError(`the sink answered ${res.status} to ${event.type}: ${res.body.toString('utf8', 0, 300)}`, {
        data: { sinkStatus: res.status }
      });
    }
  };
}
