import { toBinary, type CloudEventRecord } from '../events/http.js';
import { TransientError } from './errors.js';
import type { TokenSource } from '../trust/token-file.js';

/** Sends one stamped event to the sink (the Broker): resolves on 2xx, throws TransientError (503) otherwise. */
export type Publish = (event: CloudEventRecord) => Promise<void>;

/**
 * Publishes in binary mode with `fetch`, a timeout and a status check. The SDK's `emitterFor(httpTransport())`
 * resolves on any status and has no timeout, so it is not used.
 *
 * @example
 * const publish = createPublisher({ sink: config.sink, timeoutMs: 5000 });
 * await publish(stamped);
 */
export function createPublisher(opts: {
  sink: string | undefined;
  timeoutMs: number;
  fetch?: typeof fetch;
  /** With Eventing's OIDC: the token of the function's SinkBinding identity, sent as `Authorization: Bearer`. */
  token?: TokenSource | undefined;
}): Publish {
  const doFetch = opts.fetch ?? fetch;
  return async (event) => {
    if (!opts.sink) throw new TransientError('no sink configured (K_SINK is not set): cannot publish');
    const { headers, body } = toBinary(event);
    if (opts.token) headers.authorization = `Bearer ${await opts.token()}`;
    let res: Response;
    try {
      res = await doFetch(opts.sink, { method: 'POST', headers, body, signal: AbortSignal.timeout(opts.timeoutMs) });
    } catch (err) {
      throw new TransientError(`publishing ${event.type} to ${opts.sink} failed: ${(err as Error).message}`, { cause: err });
    }
    const text = await res.text().catch(() => '');
    if (!res.ok) {
      throw new TransientError(`the sink answered ${res.status} to ${event.type}: ${text.slice(0, 300)}`, {
        data: { sinkStatus: res.status }
      });
    }
  };
}
