import { z } from 'zod';
import { Action } from '../events/schemas.js';
import { ConfigError } from './errors.js';
import { readPodNamespace } from './pod-namespace.js';
import {
  bool,
  csv,
  int,
  labelSet,
  mcpAuth,
  mcpServers,
  redisUrl,
  replicaCounts,
  secret,
  deepFreeze,
  withAuth,
  type McpServerConfig
} from './env-schema.js';
import { SECURITY_ENV, securityConfig, type SecurityConfig } from './env-security.js';

import { redisOf, type RedisConfig } from './redis-config.js';

export type { McpAuthConfig, McpServerConfig } from './env-schema.js';
export type { RedisConfig } from './redis-config.js';

/*
 * The only module that reads process.env. Everything is parsed once, at startup, with one schema; a value is
 * required unless its default is written next to it. A problem makes the process exit before it serves.
 */

const EnvSchema = z.object({
  CORTEX_FUNCTION: z.string().optional(),
  PORT: int(8080),
  HOST: z.string().default('0.0.0.0'),
  K_SINK: z.url().optional(),
  K_SERVICE: z.string().optional(),
  // Unset: the ServiceAccount namespace file (pod-namespace.ts), else 'cortex' (outside a cluster).
  POD_NAMESPACE: z.string().optional(),
  KUBERNETES_SERVICE_HOST: z.string().optional(),
  KUBECONFIG: z.string().optional(),
  CORTEX_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CORTEX_BODY_LIMIT_BYTES: int(256 * 1024),
  CORTEX_PUBLISH_TIMEOUT_MS: int(5_000),
  CORTEX_IDEMPOTENCY_TTL_MS: int(10 * 60_000),
  CORTEX_IDEMPOTENCY_MAX_KEYS: int(50_000),
  // A record left `running` by a killed process expires after this (the Triggers' delivery timeout, PT30S), so the
  // broker's redelivery runs the event again on another replica.
  CORTEX_IDEMPOTENCY_RUNNING_TTL_MS: int(30_000),
  // Shared state (DESIGN §11): unset keeps every store in process memory (one replica per stateful function).
  CORTEX_REDIS_URL: redisUrl.optional(),
  // From the Secret, when the URL carries no password (a managed Redis or Valkey).
  CORTEX_REDIS_PASSWORD: secret('CORTEX_REDIS_PASSWORD').optional(),
  CORTEX_REDIS_PREFIX: z.string().default('cortex:'),
  // Connect and command timeout: a Redis that does not answer within it is "down" (503), not a hung request.
  CORTEX_REDIS_TIMEOUT_MS: int(2_000),
  CORTEX_SHUTDOWN_TIMEOUT_MS: int(10_000),
  CORTEX_KUBE_TIMEOUT_MS: int(10_000),
  // Guardrails (DESIGN §6)
  CORTEX_REMEDIATION_MODE: z.enum(['enforce', 'dry-run']).default('enforce'),
  CORTEX_ALLOWED_NAMESPACES: csv.default(['*']),
  CORTEX_PROTECTED_NAMESPACES: csv.default(['kube-system', 'kube-public', 'kube-node-lease', 'knative-*']),
  // Approvals (DESIGN §12): namespaces and actions whose writes wait for a human; how long a request waits.
  CORTEX_APPROVAL_NAMESPACES: csv.default([]),
  CORTEX_APPROVAL_ACTIONS: csv.pipe(z.array(Action.exclude(['rollback']))).default([]),
  CORTEX_APPROVAL_TTL_MS: int(15 * 60_000),
  // How long a pod restart waits for a PodDisruptionBudget its own earlier eviction used up, and how often it asks
  CORTEX_EVICTION_WAIT_MS: int(20_000),
  CORTEX_EVICTION_POLL_MS: int(500),
  // Healing coordinator (DESIGN §5)
  CORTEX_HEALING_BUDGET: int(3),
  CORTEX_HEALING_TRANSIENT_LIMIT: int(10),
  CORTEX_HEALING_WINDOW_MS: int(15 * 60_000),
  CORTEX_DIAGNOSE_TIMEOUT_MS: int(30_000),
  CORTEX_REMEDIATE_TIMEOUT_MS: int(60_000),
  CORTEX_VERIFY_TIMEOUT_MS: int(90_000),
  CORTEX_TICK_INTERVAL_MS: int(1_000),
  // Diagnostic checks: how long a verify-phase check may wait for readiness, and where the chat's traffic comes from
  CORTEX_CHECK_WAIT_MS: int(20_000),
  CORTEX_CHECK_POLL_MS: int(500),
  CORTEX_CHAT_NAMESPACE: z.string().default('cortex'),
  CORTEX_CHAT_POD_LABELS: labelSet.default({ 'app.kubernetes.io/part-of': 'cortex' }),
  CORTEX_CHAT_NAMESPACE_LABELS: labelSet.default({ 'app.kubernetes.io/part-of': 'cortex' }),
  // Relay and chat sessions (DESIGN §7, §8)
  CORTEX_SESSION_SECRET: secret('CORTEX_SESSION_SECRET')
    .min(16, 'CORTEX_SESSION_SECRET must be at least 16 characters')
    .optional(),
  CORTEX_OPERATOR_TOKEN: secret('CORTEX_OPERATOR_TOKEN')
    .min(16, 'CORTEX_OPERATOR_TOKEN must be at least 16 characters')
    .optional(),
  CORTEX_RELAY_URL: z.url().optional(),
  // Where the CLI reaches the approvals function (its Knative Service URL); locally the front door.
  CORTEX_APPROVALS_URL: z.url().optional(),
  // What one relay process serves: `all` (one process, npm start), `ingest` (the Triggers' deliveries, cluster-local),
  // `stream` (the page and the streams, public; POST / refused). ingest and stream share the logs through Redis.
  CORTEX_RELAY_ROLE: z.enum(['all', 'ingest', 'stream']).default('all'),
  // Entries kept in the operator log; per session log; how long an idle session log (and healing membership) is kept;
  // at most this many session logs in memory (Redis keeps as many as it has room for).
  CORTEX_RELAY_BUFFER: int(10_000),
  CORTEX_RELAY_SESSION_BUFFER: int(1_000),
  CORTEX_RELAY_SESSION_TTL_MS: int(60 * 60_000),
  CORTEX_RELAY_MAX_SESSIONS: int(20_000),
  CORTEX_RELAY_MAX_PER_SESSION: int(5),
  CORTEX_RELAY_HEARTBEAT_MS: int(15_000),
  CORTEX_LOCAL_MODE: bool(false),
  // Chat (DESIGN §8)
  ANTHROPIC_API_KEY: secret('ANTHROPIC_API_KEY', 'cortex-anthropic').optional(),
  ANTHROPIC_BASE_URL: z.url().optional(),
  CORTEX_MODEL: z.string().default('claude-sonnet-5'),
  CORTEX_MAX_TOKENS: int(1024),
  CORTEX_LLM_MAX_RETRIES: int(2),
  CORTEX_LLM_TIMEOUT_MS: int(60_000),
  CORTEX_LLM_RETRY_CAP_MS: int(20_000),
  CORTEX_LLM_IDLE_TIMEOUT_MS: int(30_000),
  CORTEX_MCP_SERVERS: mcpServers,
  // From the Secret: per-server headers and OAuth client credentials, keyed by server name.
  CORTEX_MCP_AUTH: mcpAuth,
  CORTEX_MCP_CALL_TIMEOUT_MS: int(15_000),
  CORTEX_MCP_CALL_MAX_MS: int(300_000),
  CORTEX_MAX_TOKENS_CEILING: int(8_192),
  CORTEX_CHAT_CONTEXT_TOKENS: int(200_000),
  CORTEX_CHAT_TOOL_RESULT_CHARS: int(4_000),
  CORTEX_CHAT_PROMPT_CACHE: bool(true),
  CORTEX_MCP_LIST_TIMEOUT_MS: int(5_000),
  CORTEX_HEALING_WAIT_MS: int(60_000),
  CORTEX_CHAT_HISTORY_TURNS: int(20),
  CORTEX_CHAT_MAX_MESSAGE_BYTES: int(32 * 1024),
  CORTEX_CHAT_MAX_TURNS: int(8),
  CORTEX_CHAT_MAX_SESSIONS: int(1_000),
  CORTEX_CHAT_SESSION_TTL_MS: int(30 * 60_000),
  CORTEX_CHAT_HEARTBEAT_MS: int(15_000),
  // Explanations and history (DESIGN §13): Claude calls per hour for explanations, their max_tokens, the model
  // (unset: CORTEX_MODEL); how long healings are kept; the chat's credential at Cortex's MCP server, and where it is.
  CORTEX_EXPLAIN_HOURLY_BUDGET: int(60),
  CORTEX_EXPLAIN_MAX_TOKENS: int(400),
  CORTEX_EXPLAIN_MODEL: z.string().optional(),
  CORTEX_HISTORY_DAYS: int(30),
  CORTEX_CHAT_TOKEN: secret('CORTEX_CHAT_TOKEN').min(16, 'CORTEX_CHAT_TOKEN must be at least 16 characters').optional(),
  CORTEX_HISTORY_URL: z.url().optional(),
  // Local stack (npm start without CORTEX_FUNCTION)
  CORTEX_STATE_DIR: z.string().default('.cortex'),
  CORTEX_SIM_PORT: int(18080),
  CORTEX_SIM_POD_START_MS: int(1_500),
  CORTEX_SIM_BACKOFF_MS: int(2_000),
  CORTEX_KNATIVE_DIR: z.string().default('knative'),
  // Functions the local stack runs as separate processes behind a balancer, and how many of each.
  CORTEX_REPLICAS: replicaCounts.default({}),
  // Tracing (exporter off unless an endpoint is configured)
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  ...SECURITY_ENV
});

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
