import * as z from 'zod';
import { ConfigError } from './errors.js';
import { readPodNamespace } from './pod-namespace.js';
import { deepFreeze, withAuth, type McpServerConfig } from './env-schema.js';
import { EnvSchema } from './env-vars.js';
import { securityConfig, type SecurityConfig } from './env-security.js';
import { redisOf, type RedisConfig } from './redis-config.js';

export type { McpAuthConfig, McpServerConfig } from './env-schema.js';
export type { RedisConfig } from './redis-config.js';

/*
 * The only module that reads process.env. Everything is parsed once, at startup, with one schema (env-vars.ts); a
 * value is required unless its default is written next to it. A problem makes the process exit before it serves.
 */

/** The parsed, frozen configuration. */
export type Config = Readonly<{
  function: string | undefined;
  port: number;
  host: string;
  sink: string | undefined;
  service: string | undefined;
  namespace: string;
  inCluster: boolean;
  kubeconfig: string | undefined;
  logLevel: z.infer<typeof EnvSchema>['CORTEX_LOG_LEVEL'];
  bodyLimitBytes: number;
  publishTimeoutMs: number;
  idempotency: { ttlMs: number; maxKeys: number; runningTtlMs: number };
  /** Shared state; undefined: in process memory. */
  redis: RedisConfig | undefined;
  shutdownTimeoutMs: number;
  kubeTimeoutMs: number;
  remediation: {
    mode: 'enforce' | 'dry-run';
    allowedNamespaces: string[];
    protectedNamespaces: string[];
    approvalNamespaces: string[];
    approvalActions: string[];
    evictionWaitMs: number;
    evictionPollMs: number;
  };
  healing: {
    /** Mutating actions per target per window; past it, a needed fix is escalated to a human. */
    budget: number;
    /** Healings per target per window that end "healthy now"; past it, reports are absorbed until the window ends. */
    transientLimit: number;
    windowMs: number;
    diagnoseTimeoutMs: number;
    remediateTimeoutMs: number;
    verifyTimeoutMs: number;
    tickIntervalMs: number;
    /** How long an approval request waits for a human before the healing is escalated. */
    approvalTtlMs: number;
  };
  checks: {
    waitMs: number;
    pollMs: number;
    /** Where the chat's traffic to MCP servers comes from, for NetworkPolicy evaluation. */
    chatSource: { namespace: string; podLabels: Record<string, string>; namespaceLabels: Record<string, string> };
  };
  approvalsUrl: string | undefined;
  relay: {
    url: string | undefined;
    /** What this relay process serves (docs/security.md): deliveries, streams, or both. */
    role: 'all' | 'ingest' | 'stream';
    buffer: number;
    sessionBuffer: number;
    sessionTtlMs: number;
    maxSessions: number;
    maxPerSession: number;
    heartbeatMs: number;
  };
  sessionSecret: string | undefined;
  operatorToken: string | undefined;
  localMode: boolean;
  llm: {
    apiKey: string | undefined;
    baseUrl: string | undefined;
    model: string;
    maxTokens: number;
    maxRetries: number;
    /** Wait for response headers, per attempt. */
    timeoutMs: number;
    /** Our own bound on the total time spent waiting between retries of one call (retry-after has no cap in the SDK). */
    retryCapMs: number;
    /** A stream that sends nothing for this long after its headers is ended. */
    idleTimeoutMs: number;
    /** How far max_tokens may be raised to finish a tool call that max_tokens cut. */
    maxTokensCeiling: number;
    /** cache_control on the stable prefix (tools, system prompt) and the conversation so far. */
    promptCache: boolean;
  };
  mcp: {
    servers: McpServerConfig[];
    /** A tool call's timeout; progress from the server starts it again. */
    callTimeoutMs: number;
    /** A tool call's limit however much progress it reports. */
    callMaxMs: number;
    listTimeoutMs: number;
  };
  chat: {
    healingWaitMs: number;
    historyTurns: number;
    maxMessageBytes: number;
    /** Claude calls per user message (each tool round is one). */
    maxTurns: number;
    /** The model's context window, in tokens: history is trimmed to fit it with the answer. */
    contextTokens: number;
    /** Tool results of earlier turns are shortened to this many characters when history must shrink. */
    toolResultChars: number;
    maxSessions: number;
    sessionTtlMs: number;
    heartbeatMs: number;
  };
  explain: { hourlyBudget: number; maxTokens: number; model: string };
  history: {
    retentionMs: number;
    /** The chat's credential at Cortex's MCP server: it sees the healings of the chat's own MCP servers' targets. */
    chatToken: string | undefined;
    /** Where healing-history serves (the chat lists its `/mcp` among its MCP servers when set). */
    url: string | undefined;
  };
  /** `replicas`: processes per function (`*`: every function that can take it); the others run in the stack's process. */
  local: {
    stateDir: string;
    simPort: number;
    podStartMs: number;
    backoffMs: number;
    knativeDir: string;
    replicas: Readonly<Record<string, number>>;
  };
  otlpEndpoint: string | undefined;
  security: SecurityConfig;
}>;

/**
 * Parses the environment (plus overrides, which win) into a frozen Config. Throws ConfigError listing every problem.
 * `namespaceFile` is where the pod's namespace is read when POD_NAMESPACE is not set.
 *
 * @example
 * const config = loadConfig({ CORTEX_FUNCTION: 'error-intake', PORT: '0' });
 */
export function loadConfig(
  overrides: Record<string, string | undefined> = {},
  { namespaceFile }: { namespaceFile?: string } = {}
): Config {
  const env = { ...process.env, ...overrides };
  const parsed = EnvSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')));
  if (!parsed.success) throw new ConfigError(`invalid configuration:\n${z.prettifyError(parsed.error)}`);
  const e = parsed.data;
  const namespace = e.POD_NAMESPACE ?? readPodNamespace(namespaceFile) ?? 'cortex';
  return deepFreeze({
    function: e.CORTEX_FUNCTION,
    port: e.PORT,
    host: e.HOST,
    sink: e.K_SINK,
    service: e.K_SERVICE,
    namespace,
    inCluster: e.KUBERNETES_SERVICE_HOST !== undefined,
    kubeconfig: e.KUBECONFIG,
    logLevel: e.CORTEX_LOG_LEVEL,
    bodyLimitBytes: e.CORTEX_BODY_LIMIT_BYTES,
    publishTimeoutMs: e.CORTEX_PUBLISH_TIMEOUT_MS,
    idempotency: {
      ttlMs: e.CORTEX_IDEMPOTENCY_TTL_MS,
      maxKeys: e.CORTEX_IDEMPOTENCY_MAX_KEYS,
      runningTtlMs: Math.max(1, e.CORTEX_IDEMPOTENCY_RUNNING_TTL_MS)
    },
    redis: redisOf(e.CORTEX_REDIS_URL, e.CORTEX_REDIS_PASSWORD, e.CORTEX_REDIS_PREFIX, e.CORTEX_REDIS_TIMEOUT_MS),
    shutdownTimeoutMs: e.CORTEX_SHUTDOWN_TIMEOUT_MS,
    kubeTimeoutMs: e.CORTEX_KUBE_TIMEOUT_MS,
    remediation: {
      mode: e.CORTEX_REMEDIATION_MODE,
      allowedNamespaces: e.CORTEX_ALLOWED_NAMESPACES,
      protectedNamespaces: e.CORTEX_PROTECTED_NAMESPACES,
      approvalNamespaces: e.CORTEX_APPROVAL_NAMESPACES,
      approvalActions: e.CORTEX_APPROVAL_ACTIONS,
      evictionWaitMs: e.CORTEX_EVICTION_WAIT_MS,
      evictionPollMs: Math.max(1, e.CORTEX_EVICTION_POLL_MS)
    },
    healing: {
      budget: e.CORTEX_HEALING_BUDGET,
      transientLimit: e.CORTEX_HEALING_TRANSIENT_LIMIT,
      windowMs: e.CORTEX_HEALING_WINDOW_MS,
      diagnoseTimeoutMs: e.CORTEX_DIAGNOSE_TIMEOUT_MS,
      remediateTimeoutMs: e.CORTEX_REMEDIATE_TIMEOUT_MS,
      verifyTimeoutMs: e.CORTEX_VERIFY_TIMEOUT_MS,
      tickIntervalMs: e.CORTEX_TICK_INTERVAL_MS,
      approvalTtlMs: e.CORTEX_APPROVAL_TTL_MS
    },
    checks: {
      waitMs: e.CORTEX_CHECK_WAIT_MS,
      pollMs: Math.max(1, e.CORTEX_CHECK_POLL_MS),
      chatSource: {
        namespace: e.CORTEX_CHAT_NAMESPACE,
        podLabels: e.CORTEX_CHAT_POD_LABELS,
        namespaceLabels: e.CORTEX_CHAT_NAMESPACE_LABELS
      }
    },
    approvalsUrl: e.CORTEX_APPROVALS_URL,
    relay: {
      url: e.CORTEX_RELAY_URL,
      role: e.CORTEX_RELAY_ROLE,
      buffer: Math.max(1, e.CORTEX_RELAY_BUFFER),
      sessionBuffer: Math.max(1, e.CORTEX_RELAY_SESSION_BUFFER),
      sessionTtlMs: Math.max(1, e.CORTEX_RELAY_SESSION_TTL_MS),
      maxSessions: Math.max(1, e.CORTEX_RELAY_MAX_SESSIONS),
      maxPerSession: e.CORTEX_RELAY_MAX_PER_SESSION,
      heartbeatMs: e.CORTEX_RELAY_HEARTBEAT_MS
    },
    sessionSecret: e.CORTEX_SESSION_SECRET,
    operatorToken: e.CORTEX_OPERATOR_TOKEN,
    localMode: e.CORTEX_LOCAL_MODE,
    llm: {
      apiKey: e.ANTHROPIC_API_KEY,
      baseUrl: e.ANTHROPIC_BASE_URL,
      model: e.CORTEX_MODEL,
      maxTokens: e.CORTEX_MAX_TOKENS,
      maxRetries: e.CORTEX_LLM_MAX_RETRIES,
      timeoutMs: e.CORTEX_LLM_TIMEOUT_MS,
      retryCapMs: e.CORTEX_LLM_RETRY_CAP_MS,
      idleTimeoutMs: Math.max(1, e.CORTEX_LLM_IDLE_TIMEOUT_MS),
      maxTokensCeiling: Math.max(e.CORTEX_MAX_TOKENS, e.CORTEX_MAX_TOKENS_CEILING),
      promptCache: e.CORTEX_CHAT_PROMPT_CACHE
    },
    mcp: {
      servers: withAuth(e.CORTEX_MCP_SERVERS, e.CORTEX_MCP_AUTH),
      callTimeoutMs: e.CORTEX_MCP_CALL_TIMEOUT_MS,
      callMaxMs: Math.max(e.CORTEX_MCP_CALL_TIMEOUT_MS, e.CORTEX_MCP_CALL_MAX_MS),
      listTimeoutMs: e.CORTEX_MCP_LIST_TIMEOUT_MS
    },
    explain: {
      hourlyBudget: e.CORTEX_EXPLAIN_HOURLY_BUDGET,
      maxTokens: Math.max(16, e.CORTEX_EXPLAIN_MAX_TOKENS),
      model: e.CORTEX_EXPLAIN_MODEL ?? e.CORTEX_MODEL
    },
    history: {
      retentionMs: Math.max(1, e.CORTEX_HISTORY_DAYS) * 24 * 60 * 60_000,
      chatToken: e.CORTEX_CHAT_TOKEN,
      url: e.CORTEX_HISTORY_URL
    },
    chat: {
      healingWaitMs: e.CORTEX_HEALING_WAIT_MS,
      historyTurns: e.CORTEX_CHAT_HISTORY_TURNS,
      maxMessageBytes: e.CORTEX_CHAT_MAX_MESSAGE_BYTES,
      maxTurns: Math.max(1, e.CORTEX_CHAT_MAX_TURNS),
      contextTokens: e.CORTEX_CHAT_CONTEXT_TOKENS,
      toolResultChars: Math.max(200, e.CORTEX_CHAT_TOOL_RESULT_CHARS),
      maxSessions: Math.max(1, e.CORTEX_CHAT_MAX_SESSIONS),
      sessionTtlMs: e.CORTEX_CHAT_SESSION_TTL_MS,
      heartbeatMs: e.CORTEX_CHAT_HEARTBEAT_MS
    },
    local: {
      stateDir: e.CORTEX_STATE_DIR,
      simPort: e.CORTEX_SIM_PORT,
      podStartMs: e.CORTEX_SIM_POD_START_MS,
      backoffMs: e.CORTEX_SIM_BACKOFF_MS,
      knativeDir: e.CORTEX_KNATIVE_DIR,
      replicas: e.CORTEX_REPLICAS
    },
    otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
    security: securityConfig(e, namespace, e.K_SERVICE ?? e.CORTEX_FUNCTION)
  });
}

/** Fails fast when a function needs a value that is not set. */
export function requireConfig<K extends keyof Config>(config: Config, keys: readonly K[], fn: string): void {
  const missing = keys.filter((k) => config[k] === undefined);
  if (missing.length > 0) throw new ConfigError(`${fn} needs configuration that is not set: ${missing.join(', ')}`);
}
