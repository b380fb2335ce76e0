import { pino, type Logger, type DestinationStream } from 'pino';
import { activeSpanContext } from '../tracing/context.js';

export type { Logger };

/** Paths redacted from every log line: credentials never reach the logs. */
export const REDACT_PATHS = [
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'apiKey',
  '*.apiKey',
  'token',
  '*.token',
  'operatorToken',
  '*.operatorToken',
  'sessionSecret',
  '*.sessionSecret',
  'llm.apiKey'
];

/** The trace of the delivery or request being handled, on every line logged while it runs. */
function traceFields(): { traceid?: string; spanid?: string } {
  const span = activeSpanContext();
  return span ? { traceid: span.traceId, spanid: span.spanId } : {};
}

/**
 * The process logger: JSON lines, `function` on every line, credentials redacted, and `traceid`/`spanid` of the
 * active span (a delivery, a traced HTTP request) when there is one.
 *
 * @example
 * const log = createLogger({ name: 'error-intake', level: 'info' });
 * log.child({ correlationid, causationid, type }).info('handled');
 */
export function createLogger(opts: { name: string; level: string; destination?: DestinationStream }): Logger {
  return pino(
    {
      level: opts.level,
      base: { function: opts.name },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin: traceFields,
      formatters: { level: (label) => ({ level: label }) }
    },
    opts.destination
  );
}
