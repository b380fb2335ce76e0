import * as z from 'zod';
import { Action } from '../events/schemas.js';
import { bool, csv, int, labelSet, mcpAuth, mcpServers, redisUrl, replicaCounts, secret } from './env-schema.js';
import { SECURITY_ENV } from './env-security.js';

/*
 * Every environment variable Cortex reads, with its type and default, in one schema. config.ts parses process.env with
 * it once, at startup, and maps the result to the Config functions get; nothing else reads the environment.
 */

export const EnvSchema = z.object({
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
