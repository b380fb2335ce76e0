import type { CloudEventRecord } from '../../shared/events/http.js';
import { encodeBinary, encodeStructured, type WireMessage } from '../../shared/events/wire.js';

/* The broker's outgoing messages: the wire forms every function publishes with (shared/events/wire.ts). */

export { encodeBinary, encodeStructured, type WireMessage };

/** The message for a delivery `format` (Knative: `json` = structured, `binary` or unset = binary). */
export function encode(record: CloudEventRecord, format: 'json' | 'binary', arrivedData?: Buffer): WireMessage {
  return format === 'json' ? encodeStructured(record) : encodeBinary(record, arrivedData);
}
