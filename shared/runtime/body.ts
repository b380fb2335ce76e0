import type { IncomingMessage } from 'node:http';
import type { Readable, Transform } from 'node:stream';
import * as zlib from 'node:zlib';
import { PayloadTooLargeError, RequestError, UnsupportedMediaTypeError } from './errors.js';

/*
 * Reads a delivery's body as text, as express.text() did before (body-parser 2 semantics: the limit applies to the
 * decoded bytes, gzip / deflate / br (and zstd where Node has it) are inflated, the charset of Content-Type decodes,
 * UTF-8 by default, a leading BOM dropped), and with the same error bodies. Why not body-parser itself: it loads
 * iconv-lite and express's tree, an 830 KB chunk that took ~30 ms of the ~250 ms a function needed to start on this
 * machine (README "Performance"); Node's TextDecoder decodes the charsets a CloudEvent can come in.
 */

type Decompressor = () => Transform;

const zstd = (zlib as { createZstdDecompress?: Decompressor }).createZstdDecompress;
const DECOMPRESSORS: Readonly<Record<string, Decompressor | undefined>> = {
  gzip: zlib.createGunzip,
  deflate: zlib.createInflate,
  br: zlib.createBrotliDecompress,
  zstd
};

/** A body is announced by Transfer-Encoding or a numeric Content-Length (type-is's hasBody). */
const hasBody = (req: IncomingMessage): boolean =>
  req.headers['transfer-encoding'] !== undefined || !Number.isNaN(Number(req.headers['content-length'] ?? NaN));

/** The `charset` parameter of Content-Type, lower-cased, or undefined. */
function charsetOf(contentType: string | undefined): string | undefined {
  const m = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(contentType ?? '');
  return (m?.[1] ?? m?.[2])?.toLowerCase();
}

function decoderFor(charset: string): TextDecoder {
  try {
    return new TextDecoder(charset);
  } catch {
    throw new UnsupportedMediaTypeError(`unsupported charset "${charset.toUpperCase()}"`);
  }
}

/** The stream of the body's decoded bytes, or a 415 for a content encoding we do not inflate. */
function contentStream(req: IncomingMessage): Readable {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding === 'identity') return req;
  const create = Object.hasOwn(DECOMPRESSORS, encoding) ? DECOMPRESSORS[encoding] : undefined;
  if (!create) throw new UnsupportedMediaTypeError(`unsupported content encoding "${encoding}"`);
  return req.pipe(create());
}

/** Settles once the request has been read to its end, so the client gets the answer without a reset. */
function afterDrain(req: IncomingMessage, settle: () => void): void {
  if (req.readableEnded || req.destroyed) return settle();
  req.once('end', settle).once('close', settle);
  req.resume();
}

/**
 * The request body as a string ('' when there is none), at most `limit` bytes once inflated. Rejects with a
 * CortexError: 413 over the limit, 415 for an unknown encoding or charset, 400 for a body that does not inflate or a
 * request aborted mid-body.
 *
 * @example
 * const body = await readText(req, 256 * 1024);
 */
export function readText(req: IncomingMessage, limit: number): Promise<string> {
  if (!hasBody(req)) return Promise.resolve('');
  return new Promise((resolve, reject) => {
    let done = false;
    let stream: Readable = req;
    const fail = (err: Error): void => {
      if (done) return;
      done = true;
      if (stream !== req) {
        req.unpipe(stream as Transform);
        stream.destroy();
      }
      let once = false;
      afterDrain(req, () => void (once || ((once = true), reject(err))));
    };
    try {
      stream = contentStream(req);
      const declared = stream === req ? Number(req.headers['content-length']) : NaN;
      if (declared > limit) throw new PayloadTooLargeError(`request body exceeds the limit of ${limit} bytes`);
      const decoder = decoderFor(charsetOf(req.headers['content-type']) ?? 'utf-8');
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        if (done) return;
        size += chunk.length;
        if (size > limit) fail(new PayloadTooLargeError(`request body exceeds the limit of ${limit} bytes`));
        else chunks.push(chunk);
      });
      stream.once('end', () => {
        if (done) return;
        done = true;
        resolve(decoder.decode(Buffer.concat(chunks, size)));
      });
      if (stream !== req)
        stream.once('error', (err) =>
          fail(
            new RequestError(400, 'malformed_encoding', `the body does not decode with its content-encoding: ${err.message}`)
          )
        );
      req.once('close', () => {
        if (!req.complete) fail(new RequestError(400, 'aborted', 'request aborted by the client'));
      });
    } catch (err) {
      fail(err as Error);
    }
  });
}
