import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { ApiResponseError } from './errors.js';
import { messageBody, PING_EVENT, streamErrorEvent, streamEvents, type MessageMeta, type StreamEvent } from './events.js';
import { parseFaultMarker, type Fault, type FaultQueue, type RefusalCategory } from './faults.js';
import { pause, readBody, sendApiError, sendJson, write } from './http-io.js';
import { derivedId, newRequestId } from './ids.js';
import { refusalReply, respond } from './model.js';
import { promptBlocks, promptTokens, type PromptCache } from './prompt.js';
import { recordedHeaders, type RequestLog } from './request-log.js';
import { sseFrame, startSse } from '../../shared/sse/frame.js';
import { apiKeyOf, validateRequest } from './validate.js';
import type { MessagesRequest, Reply } from './wire.js';

/*
 * POST /v1/messages. Order of work: record → pick a fault (queue first, then a marker in the text) → HTTP-level faults
 * (they happen in front of the API, so before auth) → auth → validation → the context window → the answer (a
 * refusal when asked for, or when the conversation still carries a refused message), as JSON or as a stream, where
 * the stream faults (stall, stream_error, pause) apply. POST /v1/messages/count_tokens counts the same prompt.
 */

export interface MessagesContext {
  faults: FaultQueue;
  requests: RequestLog;
  log: Logger;
  /** Pause before each content_block_delta, so a client visibly receives tokens one group at a time. */
  pacingMs: number;
  /** Aborted when the server stops: every open response ends. */
  stopping: AbortSignal;
  /** The model's context window in tokens: prompt plus answer. */
  contextWindow: number;
  cache: PromptCache;
  /** User messages that were refused, with their category: a conversation that still holds one is refused again. */
  refused: Map<string, RefusalCategory>;
}

// message_start, content_block_start, ping and the first text delta: the client has seen a token before the error.
const DEFAULT_STREAM_ERROR_AFTER = 4;
// message_start and content_block_start: the stream is open, no token yet.
const DEFAULT_PAUSE_AFTER = 2;
const DEFAULT_PING_MS = 1_000;

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
    const blocks = promptBlocks(request);
    const tokens = promptTokens(blocks);
    if (tokens > ctx.contextWindow) {
      throw new ApiResponseError(
        'invalid_request_error',
        `prompt is too long: ${tokens} tokens > ${ctx.contextWindow} maximum`
      );
    }
    const reply = answer(ctx, request, raw, fault, ctx.contextWindow - tokens);
    const usage = ctx.cache.use(blocks);
    entry.usage = usage;
    const meta: MessageMeta = { id: derivedId('msg', raw), model: request.model, ...usage };
    log.info(
      { stream: request.stream === true, stopReason: reply.stopReason, blocks: reply.blocks.map((b) => b.type), usage },
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

/** The user's own words in a conversation (tool results aside). */
function userTexts(req: MessagesRequest): string[] {
  return req.messages.flatMap((m) => {
    if (m.role !== 'user') return [];
    if (typeof m.content === 'string') return [m.content];
    return m.content.flatMap((b) => (b.type === 'text' && typeof b.text === 'string' ? [b.text] : []));
  });
}

/** The reply: a refusal (asked for, or still in the conversation), else the "model"'s answer. */
function answer(ctx: MessagesContext, req: MessagesRequest, seed: string, fault: Fault | undefined, left: number): Reply {
  const texts = userTexts(req);
  if (fault?.kind === 'refusal') {
    const last = texts.at(-1);
    if (last !== undefined) ctx.refused.set(last, fault.category ?? 'cyber');
    return refusalReply(fault.category);
  }
  const still = texts.find((t) => ctx.refused.has(t));
  return still !== undefined ? refusalReply(ctx.refused.get(still)) : respond(req, seed, left);
}

/** POST /v1/messages/count_tokens: the prompt's input tokens, with the same validation as a message (no max_tokens). */
export async function handleCountTokens(
  ctx: Pick<MessagesContext, 'log'>,
  req: IncomingMessage,
  res: ServerResponse
): Promise<void> {
  const requestId = newRequestId();
  const raw = await readBody(req);
  try {
    if (raw === undefined)
      throw new ApiResponseError('request_too_large', 'Request exceeds the maximum allowed number of bytes.');
    if (!apiKeyOf(req.headers)) {
      throw new ApiResponseError(
        'authentication_error',
        'Missing API key: send `authorization: Bearer <key>` or `x-api-key: <key>`.'
      );
    }
    const body = parseJson(raw);
    if (body === undefined) throw new ApiResponseError('invalid_request_error', 'The request body is not valid JSON.');
    const request = validateRequest(req.headers, body, { countTokens: true });
    sendJson(res, 200, JSON.stringify({ input_tokens: promptTokens(promptBlocks(request)) }), { 'request-id': requestId });
  } catch (err) {
    if (!(err instanceof ApiResponseError)) throw err;
    ctx.log.warn({ status: err.status, type: err.type, message: err.message }, 'rejected count_tokens request');
    sendApiError(res, err.type, err.message, requestId, err.headers);
  }
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
  // Outside a stream, a mid-stream error is what it would have been all along: a 529 or a 500.
  if (fault?.kind === 'stream_error') {
    const type = fault.error ?? 'overloaded_error';
    return sendApiError(res, type, type === 'overloaded_error' ? 'Overloaded' : 'Internal server error', requestId);
  }
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
  const pauseAt = fault?.kind === 'pause' ? (fault.afterEvents ?? DEFAULT_PAUSE_AFTER) : -1;
  for (const [i, event] of events.slice(0, cutAt).entries()) {
    if (i === pauseAt && fault?.kind === 'pause' && !(await pauseWithPings(res, fault, signal))) return void res.destroy();
    if (event.event === 'content_block_delta' && !(await pause(ctx.pacingMs, signal))) return void res.destroy();
    if (!(await write(res, sseFrame({ event: event.event, data: event.data }), signal))) return void res.destroy();
  }
  if (fault?.kind === 'stall') return stallUntilGone(res, signal);
  if (fault?.kind === 'stream_error') {
    const error = streamErrorEvent(fault.error);
    await write(res, sseFrame({ event: error.event, data: error.data }), signal);
  }
  res.end();
}

/** A quiet stretch of `ms` in a stream, with a `ping` every `pingMs`, as the API keeps a slow stream alive. */
async function pauseWithPings(
  res: ServerResponse,
  fault: Extract<Fault, { kind: 'pause' }>,
  signal: AbortSignal
): Promise<boolean> {
  const every = Math.max(1, fault.pingMs ?? DEFAULT_PING_MS);
  for (let left = fault.ms; left > 0; left -= every) {
    if (!(await pause(Math.min(every, left), signal))) return false;
    if (left > every && !(await write(res, sseFrame({ event: PING_EVENT.event, data: PING_EVENT.data }), signal)))
      return false;
  }
  return true;
}
