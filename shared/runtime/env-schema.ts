import * as z from 'zod';
import { ConfigError } from './errors.js';

/*
 * The value types of the environment, for the one schema in config.ts: lists, integers with their defaults, booleans,
 * label sets, credentials, the chat's MCP servers. They parse strings; they never read process.env themselves.
 */

/** The comma-separated terms of a value, trimmed, empty ones dropped. */
const terms = (s: string): string[] =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

export const csv = z.string().transform(terms);
export const int = (def: number) => z.coerce.number().int().nonnegative().default(def);
export const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(def ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** A Redis URL: `redis://[[user]:password@]host[:port][/db]`, or `rediss://` for TLS. */
export const redisUrl = z
  .string()
  .refine((v) => URL.canParse(v) && /^rediss?:$/.test(new URL(v).protocol) && new URL(v).hostname !== '', {
    message: 'CORTEX_REDIS_URL must be a redis:// or rediss:// URL with a host, e.g. redis://redis.cortex.svc:6379/0'
  });

/**
 * `healing-coordinator=3,sse-relay=2` or `*=2` (every function that can take it) → `{ 'healing-coordinator': 3, … }`:
 * how many processes of each function the local stack runs.
 */
export const replicaCounts = z.string().transform((s, ctx) => {
  const out: Record<string, number> = {};
  for (const term of terms(s)) {
    const m = /^([a-z0-9-]+|\*)=(\d+)$/.exec(term);
    const n = m ? Number(m[2]) : NaN;
    if (!m || n < 1 || n > 16) {
      ctx.addIssue({
        code: 'custom',
        message: `"${term}" is not <function>=<1..16> (or *=<1..16>), e.g. healing-coordinator=3,sse-relay=2`
      });
      return z.NEVER;
    }
    out[m[1]!] = n;
  }
  return out;
});

/** `k=v,k2=v2` → `{ k: 'v', k2: 'v2' }` (a Kubernetes equality-based label set). */
export const labelSet = z.string().transform((s, ctx) => {
  const out: Record<string, string> = {};
  for (const term of terms(s)) {
    const [k, v, ...rest] = term.split('=');
    if (!k?.trim() || v === undefined || rest.length > 0) {
      ctx.addIssue({ code: 'custom', message: `"${term}" is not a label: write key=value pairs separated by commas` });
      return z.NEVER;
    }
    out[k.trim()] = v.trim();
  }
  return out;
});

/** A credential from a Secret of knative/config.yaml: the placeholders it ships with are refused. */
export const secret = (name: string, from = 'cortex-secrets') =>
  z.string().refine((v) => !v.startsWith('REPLACE-'), {
    message: `${name} still holds the placeholder from knative/config.yaml: fill the Secret ${from} (README, Deploy on Knative)`
  });

const McpServer = z.object({
  name: z.string().regex(/^[a-zA-Z0-9_-]{1,32}$/, 'MCP server names are 1-32 letters, digits, "_" or "-"'),
  url: z.url(),
  target: z.object({ namespace: z.string().min(1), service: z.string().min(1) })
});
/**
 * Credentials for one MCP server, from the Secret (`CORTEX_MCP_AUTH`, keyed by server name): static headers
 * (`Authorization: Bearer …`, an API key header) and/or OAuth 2.1 client credentials for a server that announces
 * an authorization server (`issuer`: the authorization server the credentials were registered with).
 */
const McpAuth = z.strictObject({
  headers: z.record(z.string().regex(/^[A-Za-z0-9-]+$/, 'header names are letters, digits and "-"'), z.string()).optional(),
  oauth: z
    .strictObject({
      clientId: z.string().min(1),
      clientSecret: z.string().min(1),
      issuer: z.url(),
      scope: z.string().optional()
    })
    .optional()
});
export type McpAuthConfig = z.infer<typeof McpAuth>;
export type McpServerConfig = z.infer<typeof McpServer> & { auth?: McpAuthConfig };

/** An env var holding JSON, parsed; `fallback` when unset. */
const jsonOf = (what: string, example: string, fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((s, ctx) => {
      try {
        return JSON.parse(s) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: `${what} must be JSON: ${example}` });
        return z.NEVER;
      }
    });
export const mcpServers = jsonOf('CORTEX_MCP_SERVERS', '[{"name","url","target":{namespace,service}}]', '[]').pipe(
  z.array(McpServer)
);
export const mcpAuth = jsonOf(
  'CORTEX_MCP_AUTH',
  '{"<server>":{"headers":{…},"oauth":{clientId,clientSecret,issuer,scope?}}}',
  '{}'
).pipe(z.record(z.string(), McpAuth));

/** Each MCP server with its credentials; credentials for a server that is not configured are a mistake worth stopping for. */
export function withAuth(servers: McpServerConfig[], auth: Record<string, McpAuthConfig>): McpServerConfig[] {
  const unknown = Object.keys(auth).filter((name) => !servers.some((s) => s.name === name));
  if (unknown.length > 0) {
    throw new ConfigError(
      `invalid configuration:\nCORTEX_MCP_AUTH names MCP servers that CORTEX_MCP_SERVERS lacks: ${unknown.join(', ')}`
    );
  }
  return servers.map((s) => (auth[s.name] ? { ...s, auth: auth[s.name] } : s));
}

/** Freezes a parsed configuration, nested objects included. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
