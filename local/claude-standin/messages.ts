import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { ApiResponseError } from './errors.js';
import { messageBody, OVERLOADED_EVENT, streamEvents, type MessageMeta, type StreamEvent } from './events.js';
import { parseFaultMarker, type Fault, type FaultQueue } from './faults.js';
import { pause, readBody, sendApiError, sendJson, write } from './http-io.js';
import { derivedId, newRequestId } from './ids.js';
import { respond } from './model.js';
import { recordedHeaders, type RequestLog } from './request-log.js';
import { sseFrame, startSse } from '../../shared/sse/frame.js';
import { apiKeyOf, validateRequest } from './validate.js';
import { estimateTokens, type MessagesRequest } from './wire.js';

/*
 * POST /v1/messages. Order of work: record → pick a fault (queue first, then a marker in the text) → HTTP-level faults
 * (they happen in front of the API, so before auth) → auth → validation → the answer, as JSON or as a stream, where
 * the stream faults (stall, stream_error) apply.
 */

export interface MessagesContext {
  faults: FaultQueue;
  requests: RequestLog;
  log: Logger;
  /** Pause before each content_block_delta, so a client visibly receives tokens one group at a time. */
  pacingMs: number;
  /** Aborted when the server stops: every open response ends. */
  stopping: AbortSignal;
}

// message_start, content_block_start, ping and the first text delta: the client has seen a token before the error.
const DEFAULT_STREAM_ERROR_AFTER = 4;

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

/** The text of the last user message of a body not validated yet: anything malformed simply has no marker. */
function lastUserText(body: unknown): string {
  const messages = (body as { messages?: unknown } | undefined)?.messages;
  if (!Array.isArray(messages)) return '';
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  const last = messages.filter(isObject).findLast((m) => m.role === 'user');
  if (typeof last?.content === 'string') return last.content;
  if (!Array.isArray(last?.content)) return '';
  return last.content
    .filter(isObject)
    .flatMap((b) => (b.type === 'text' && typeof b.text === 'string' ? [b.text] : []))
    .join('\n');
}

function chooseFault(ctx: MessagesContext, req: IncomingMessage, body: unknown): Fault | undefined {
  const queued = ctx.faults.next();
  if (queued) return queued;
  const marker = parseFaultMarker(lastUserText(body));
  const attempt = Number(req.headers['x-stainless-retry-count'] ?? 0) || 0;
  return marker && attempt < marker.attempts ? marker.fault : undefined;
}

export async function handleMessages(ctx: MessagesContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestId = newRequestId();
  const closed = new AbortController();
  const signal = AbortSignal.any([closed.signal, ctx.stopping]);
  const raw = await readBody(req);
  const body = raw === undefined ? undefined : (parseJson(raw) ?? raw);
  const entry = ctx.requests.add({
    requestId,
    at: new Date().toISOString(),
    method: req.method ?? 'POST',
    path: req.url ?? '/v1/messages',
    headers: recordedHeaders(req.headers),
    body
  });
  res.on('close', () => {
    // A reset or a server stop also closes an unfinished response; only a departing client counts here.
    if (!res.writableFinished && entry.fault !== 'reset' && !ctx.stopping.aborted) entry.clientClosed = true;
    closed.abort();
  });
  res.on('finish', () => (entry.status = res.statusCode));
  const log = ctx.log.child({ requestId });
  const fault = chooseFault(ctx, req, body);
  if (fault) {
    entry.fault = fault.kind;
    log.info({ fault }, 'injecting fault');
  }

  try {
    if (raw === undefined)
      throw new ApiResponseError('request_too_large', 'Request exceeds the maximum allowed number of bytes.');
    if (fault && !(await applyHttpFault(fault, res, requestId, signal))) return;
    if (!apiKeyOf(req.headers)) {
      throw new ApiResponseError(
        'authentication_error',
        'Missing API key: send `authorization: Bearer <key>` or `x-api-key: <key>`.'
      );
    }
    if (typeof body === 'string') throw new ApiResponseError('invalid_request_error', 'The request body is not valid JSON.');
    const request = validateRequest(req.headers, body);
    const reply = respond(request, raw);
    const meta: MessageMeta = { id: derivedId('msg', raw), model: request.model, inputTokens: inputTokens(request) };
    log.info(
      { stream: request.stream === true, stopReason: reply.stopReason, blocks: reply.blocks.map((b) => b.type) },
      'answering'
    );
    if (request.stream) await sendStream(ctx, res, requestId, streamEvents(reply, meta), fault, signal);
    else await sendMessage(res, requestId, messageBody(reply, meta), fault, signal);
  } catch (err) {
    if (!(err instanceof ApiResponseError)) throw err;
    log.warn({ status: err.status, type: err.type, message: err.message }, 'rejected request');
    sendApiError(res, err.type, err.message, requestId, err.headers);
  }
}

function inputTokens(req: MessagesRequest): number {
  return estimateTokens(JSON.stringify([req.system ?? '', req.messages, req.tools ?? []]));
}

/** Faults answered before the request is even looked at. Returns false when the response is already settled. */
async function applyHttpFault(fault: Fault, res: ServerResponse, requestId: string, signal: AbortSignal): Promise<boolean> {
  switch (fault.kind) {
    case 'delay_headers':
      return pause(fault.ms, signal);
    case 'reset':
      res.socket?.destroy();
      return false;
    case 'rate_limit': {
      const headers: Record<string, string> = {
        'retry-after': String(
          fault.retryAfterS ?? (fault.retryAfterMs !== undefined ? Math.ceil(fault.retryAfterMs / 1000) : 1)
        )
      };
      if (fault.retryAfterMs !== undefined) headers['retry-after-ms'] = String(fault.retryAfterMs);
      sendApiError(
        res,
        'rate_limit_error',
        'Rate limit exceeded (fault injected by the local Claude API stand-in).',
        requestId,
        headers
      );
      return false;
    }
    case 'overloaded':
      sendApiError(res, 'overloaded_error', 'Overloaded', requestId);
      return false;
    case 'server_error':
      sendApiError(res, 'api_error', 'Internal server error', requestId);
      return false;
    default:
      return true;
  }
}

/** Waits until the client goes away or the server stops, then makes sure the socket is gone. */
async function stallUntilGone(res: ServerResponse, signal: AbortSignal): Promise<void> {
  if (!signal.aborted) await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
  res.destroy();
}

async function sendMessage(
  res: ServerResponse,
  requestId: string,
  message: Record<string, unknown>,
  fault: Fault | undefined,
  signal: AbortSignal
): Promise<void> {
  if (fault?.kind === 'stall') {
    res.writeHead(200, { 'content-type': 'application/json', 'request-id': requestId });
    res.flushHeaders();
    return stallUntilGone(res, signal);
  }
  // Outside a stream, a mid-stream overload is what it would have been all along: a 529.
  if (fault?.kind === 'stream_error') return sendApiError(res, 'overloaded_error', 'Overloaded', requestId);
  sendJson(res, 200, JSON.stringify(message), { 'request-id': requestId });
}

async function sendStream(
  ctx: MessagesContext,
  res: ServerResponse,
  requestId: string,
  events: StreamEvent[],
  fault: Fault | undefined,
  signal: AbortSignal
): Promise<void> {
  startSse(res, { 'request-id': requestId });
  const cutAt =
    fault?.kind === 'stall'
      ? (fault.afterEvents ?? 0)
      : fault?.kind === 'stream_error'
        ? (fault.afterEvents ?? DEFAULT_STREAM_ERROR_AFTER)
        : events.length;
  for (const event of events.slice(0, cutAt)) {
    if (event.event === 'content_block_delta' && !(await pause(ctx.pacingMs, signal))) return void res.destroy();
    if (!(await write(res, sseFrame({ event: event.event, data: event.data }), signal))) return void res.destroy();
  }
  if (fault?.kind === 'stall') return stallUntilGone(res, signal);
  if (fault?.kind === 'stream_error')
    await write(res, sseFrame({ event: OVERLOADED_EVENT.event, data: OVERLOADED_EVENT.data }), signal);
  res.end();
}
