import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../shared/runtime/config.js';
import { ConfigError } from '../../../../shared/runtime/errors.js';

describe('Config: CORTEX_REDIS_URL', () => {
  it('keeps state in memory when it is not set', () => {
    // Act
    const config = loadConfig({ CORTEX_REDIS_URL: undefined });
    // Assess
    expect(config.redis).toBeUndefined();
  });

  it.each([
    ['redis://redis.cortex.svc:6379/0', false, undefined],
    ['rediss://default:s3cret@cache.example.com:6380', true, undefined],
    ['redis://10.0.0.5', false, 'from-the-secret-123']
  ])('reads %s (TLS %s)', (url, tls, password) => {
    // Act
    const config = loadConfig({ CORTEX_REDIS_URL: url, CORTEX_REDIS_PASSWORD: password });
    // Assess
    expect(config.redis).toEqual({ url, tls, password, prefix: 'cortex:', timeoutMs: 2_000 });
  });

  it.each(['http://redis:6379', 'redis:/nohost', 'not a url', 'unix:///var/run/redis.sock'])(
    'refuses %s with a clear error',
    (url) => {
      // Act
      const load = (): unknown => loadConfig({ CORTEX_REDIS_URL: url });
      // Assess
      expect(load).toThrow(ConfigError);
      expect(load).toThrow('CORTEX_REDIS_URL must be a redis:// or rediss:// URL');
    }
  );

  it('refuses a password both in the URL and in CORTEX_REDIS_PASSWORD, without printing either', () => {
    // Act
    let message = '';
    try {
      loadConfig({ CORTEX_REDIS_URL: 'redis://:in-the-url@redis:6379', CORTEX_REDIS_PASSWORD: 'in-the-secret-1' });
    } catch (err) {
      message = (err as Error).message;
    }
    // Assess
    expect(message).toMatch(/keep one of them/);
    expect(message).not.toMatch(/in-the-url|in-the-secret/);
  });

  it('refuses the placeholder of the Secret', () => {
    // Act
    const load = (): unknown => loadConfig({ CORTEX_REDIS_URL: 'redis://r', CORTEX_REDIS_PASSWORD: 'REPLACE-me' });
    // Assess
    expect(load).toThrow('CORTEX_REDIS_PASSWORD still holds the placeholder');
  });
});
