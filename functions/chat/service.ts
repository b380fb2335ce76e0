import { withCortexServer } from './cortex-server.js';
import type { Response } from 'express';
import { Events, LIMITS } from '../../shared/events/catalog.js';
import type { Config } from '../../shared/runtime/config.js';
import type { Ports, ProcessHooks } from '../../shared/runtime/define-function.js';
import { RequestError } from '../../shared/runtime/errors.js';
import { sessionToken, verifySessionToken } from '../../shared/session/token.js';
import { watchHealing } from './healing-wait.js';
import { createLlm, type LlmDelay } from './llm.js';
import { delayReason } from './llm-failures.js';
import { createMcpPool, type ToolRef } from './mcp-pool.js';
import type { ReportableFailure } from '../../shared/mcp/failures.js';
import type { ChatSessions, SessionTurn } from './sessions.js';
import { openSse, type SseWriter } from './sse-writer.js';
import { runTurn } from './turn.js';
import type { UsageMeter } from './usage-meter.js';

/*
 * The chat's composition: Claude client, MCP pool, session store and the per-request wiring of one answer stream.
 * The chat is the one function whose job is outbound HTTP (Claude, MCP servers, the relay), so its adapters get
 * `fetch` here, in one place.
 */

export interface ChatService {
  createSession(): Promise<{ sessionId: string; token: string }>;
  /**
   * Takes the turn of the session a request names (a new session without an id): 401 for a wrong token, 409 while the
   * session answers another message on any replica, 503 when the session store cannot be reached.
   */
  resolve(sessionId: string | undefined, token: string | undefined): Promise<SessionTurn>;
  /** Streams the answer to one message as SSE on `res`, and gives the session's turn back. */
  answer(turn: SessionTurn, message: string, res: Response): Promise<void>;
}

/** What the user is told when the answer streamed but its history could not be stored (Redis down). */
const NOT_SAVED = 'This answer could not be saved: the next message will not remember it.';

/** How long the chat waits for the relay's `connected` before it gives up following a healing. */
const RELAY_CONNECT_TIMEOUT_MS = 5_000;

const seconds = (ms: number): string => `${Math.round(ms / 100) / 10} s`;

/** The slice of configuration the chat uses. */
export type ChatConfig = Pick<Config, 'sessionSecret' | 'llm' | 'mcp' | 'chat' | 'relay'>;

/** Picks the chat's slice out of the whole configuration. */
export const chatConfig = ({ sessionSecret, llm, mcp, chat, relay, history, namespace }: Config): ChatConfig => ({
  sessionSecret,
  llm,
  mcp: { ...mcp, servers: withCortexServer({ mcp, history, namespace }) },
  chat,
  relay
});

/** What the chat is built from: the ports, publishing and shutdown hooks, and its slice of configuration. */
export interface ChatServiceCtx extends Pick<Ports, 'log' | 'clock' | 'ids'>, ProcessHooks {
  readonly config: ChatConfig;
  /** Where Claude's token usage is counted (the function's /metrics reads it). */
  readonly meter: UsageMeter;
  /** Sessions and their history: in memory, or on Redis for every replica. */
  readonly sessions: ChatSessions;
}

/** Builds the chat from the function's context; closes its MCP clients and open streams on shutdown. */
export function createChatService(ctx: ChatServiceCtx): ChatService {
  const { config, log, clock } = ctx;
  const secret = config.sessionSecret!;
  const now = (): number => clock.now().getTime();
  // eslint-disable-next-line no-restricted-globals -- the chat's adapters do outbound HTTP by nature; injected from here only
  const http: typeof fetch = fetch;
  const { meter } = ctx;
  const llm = createLlm({ config: config.llm, fetch: http, log, now, onUsage: (usage) => meter.add(usage) });
  const pool = createMcpPool({ ...config.mcp, fetch: http, log, now });
  const { sessions } = ctx;
  const streams = new Set<SseWriter>();
  // List tools in the background, and keep trying for a while: the chat serves even while every MCP server is down,
  // and a server that comes up after the chat is listed before anyone needs it.
  pool.warmUp(2_000, 120_000);
  ctx.onShutdown(async () => {
    for (const s of streams) {
      s.send('error', { code: 'shutting_down', message: 'The chat is restarting; please send your message again.' });
      s.end();
    }
    await pool.close();
  });

  const publishSafely = async (what: string, intent: Parameters<ProcessHooks['publish']>[0][number]): Promise<boolean> => {
    try {
      await ctx.publish([intent]);
      return true;
    } catch (err) {
      log.error({ err, type: intent.type }, `could not publish ${what}`);
      return false;
    }
  };

  return {
    async createSession() {
      const sessionId = ctx.ids.uuid();
      await sessions.create(sessionId);
      return { sessionId, token: sessionToken(secret, sessionId) };
    },

    async resolve(sessionId, token) {
      if (sessionId !== undefined && !verifySessionToken(secret, sessionId, token)) {
        throw new RequestError(
          401,
          'invalid_session_token',
          'the session token is missing or does not match the session id'
        );
      }
      const turn = await sessions.begin(sessionId ?? ctx.ids.uuid());
      if (!turn)
        throw new RequestError(409, 'session_busy', 'this session is still answering a message; wait for its "done"');
      return turn;
    },

    async answer(turn, message, res) {
      const sse = openSse(res, { heartbeatMs: config.chat.heartbeatMs });
      const emit = (event: string, data: unknown): void => void sse.send(event, data);
      const sessionId = turn.id;
      const token = sessionToken(secret, sessionId);
      const pending: Promise<unknown>[] = [];
      const started = now();
      let outcome = 'aborted';
      streams.add(sse);
      /** Stores the history; false (and the user told) when the store cannot be reached. */
      const save = async (history: Parameters<SessionTurn['commit']>[0]): Promise<boolean> => {
        try {
          await turn.commit(history);
          return true;
        } catch (err) {
          log.error({ err, sessionId }, 'could not store the session history');
          emit('notice', { code: 'history_not_saved', message: NOT_SAVED });
          return false;
        }
      };
      try {
        emit('session', { sessionId, token });
        const onDelay = ({ attempt, retryInMs, failure }: LlmDelay): void => {
          const reason = delayReason(failure);
          emit('processing_delay', {
            message: `${reason}; retrying in ${seconds(retryInMs)} (retry ${attempt} of ${config.llm.maxRetries}).`,
            attempt,
            retryInMs
          });
          pending.push(publishSafely('chat.delayed', Events.ChatDelayed.intent({ sessionId, reason, attempt, retryInMs })));
        };
        const report = (failure: ReportableFailure, ref: ToolRef): Promise<boolean> =>
          publishSafely(
            'error.reported',
            Events.ErrorReported.intent({
              component: 'chat',
              category: failure.category,
              message: `MCP server "${ref.server.name}", tool ${ref.tool}: ${failure.message}`.slice(0, LIMITS.text),
              occurredAt: clock.now().toISOString(),
              target: { ...ref.server.target, url: ref.server.url },
              sessionId,
              ...(failure.httpStatus ? { httpStatus: failure.httpStatus } : {}),
              ...(failure.errorCode ? { errorCode: failure.errorCode } : {})
            })
          );
        const relayUrl = config.relay.url;
        const watch = relayUrl
          ? (ref: ToolRef, onEvent: Parameters<typeof watchHealing>[0]['onEvent']) =>
              watchHealing({
                relayUrl,
                sessionId,
                token,
                target: ref.server.target,
                fetch: http,
                log,
                connectTimeoutMs: RELAY_CONNECT_TIMEOUT_MS,
                onEvent,
                signal: sse.signal
              })
          : undefined;

        const result = await runTurn([...turn.history], message, {
          llm,
          pool,
          maxTurns: config.chat.maxTurns,
          limits: {
            contextTokens: config.chat.contextTokens,
            maxTokens: config.llm.maxTokens,
            maxTokensCeiling: config.llm.maxTokensCeiling,
            toolResultChars: config.chat.toolResultChars
          },
          emit,
          onDelay,
          async onLlmFailure({ failure }, userMessage) {
            if (!failure.category) return log.error({ detail: failure.detail }, 'Claude API rejected the request');
            // No target: Claude API failures are not a cluster fault and start no healing.
            await publishSafely(
              'error.reported',
              Events.ErrorReported.intent({
                component: 'chat',
                category: failure.category,
                message: `${userMessage} [${failure.detail}]`.slice(0, LIMITS.text),
                occurredAt: clock.now().toISOString(),
                sessionId,
                ...(failure.httpStatus ? { httpStatus: failure.httpStatus } : {}),
                ...(failure.errorType ? { errorCode: failure.errorType } : {})
              })
            );
          },
          tools: { report, watch, healingWaitMs: config.chat.healingWaitMs, log },
          signal: sse.signal
        });
        const saved = result.ok ? await save(result.history) : result.reset ? await save([]) : true;
        if (result.ok) emit('done', { message: result.answer });
        outcome = result.ok ? 'done' : sse.closed ? 'aborted' : result.reset ? 'refused' : 'error';
        if (!saved) outcome += '_unsaved';
      } catch (err) {
        outcome = 'internal_error';
        log.error({ err, sessionId }, 'chat turn failed');
        emit('error', { code: 'internal', message: 'The chat failed unexpectedly; please try again.' });
      } finally {
        await Promise.allSettled(pending);
        await turn.end();
        streams.delete(sse);
        sse.end();
        log.info({ sessionId, outcome, ms: now() - started }, 'chat message answered');
      }
    }
  };
}
