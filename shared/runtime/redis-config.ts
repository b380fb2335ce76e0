import { ConfigError } from './errors.js';

/** Where shared state lives (DESIGN §11): Redis, Valkey or a managed service; `rediss://` is TLS. */
export interface RedisConfig {
  /** redis:// or rediss:// URL; may carry the password (never logged). */
  readonly url: string;
  /** The password from the Secret, when the URL has none. */
  readonly password: string | undefined;
  readonly tls: boolean;
  /** Prefix of every key, so several deployments can share one Redis. */
  readonly prefix: string;
  readonly timeoutMs: number;
}

/** The Redis configuration of CORTEX_REDIS_URL and CORTEX_REDIS_PASSWORD (already validated), or undefined. */
export function redisOf(
  url: string | undefined,
  password: string | undefined,
  prefix: string,
  timeoutMs: number
): RedisConfig | undefined {
  if (url === undefined) return undefined;
  const parsed = new URL(url);
  if (parsed.password !== '' && password !== undefined) {
    throw new ConfigError(
      'invalid configuration:\nCORTEX_REDIS_URL carries a password and CORTEX_REDIS_PASSWORD is set too: keep one of them'
    );
  }
  return { url, password, tls: parsed.protocol === 'rediss:', prefix, timeoutMs: Math.max(1, timeoutMs) };
}

/** host:port/db of a Redis URL, without credentials: what log lines and `.cortex/local.json` may show. */
export function describeRedis(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname && u.pathname !== '/' ? u.pathname : ''}`;
}
