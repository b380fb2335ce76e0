import { Writable } from 'node:stream';

/** A pino destination that keeps every JSON line written to it, parsed (`run(def, { logDestination: stream })`). */
export function logCapture(): { lines: Array<Record<string, unknown>>; stream: Writable } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString('utf8').split('\n').filter(Boolean))
        lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    }
  });
  return { lines, stream };
}
