import { describe, expect, it } from 'vitest';
import { reconnectDelayMs } from '../../../../shared/redis/connection.js';
import { describeRedis } from '../../../../shared/runtime/redis-config.js';
import { unavailable } from '../../../../shared/redis/errors.js';
import { ConflictError, TransientError, toHttpStatus } from '../../../../shared/runtime/errors.js';

const reply = (message: string): Error => Object.assign(new Error(message), { name: 'ReplyError' });

describe('Redis: what a failed command means for the broker', () => {
  it.each([
    ['connection lost', new Error('Connection is closed.'), 503],
    ['offline queue off', new Error("Stream isn't writeable and enableOfflineQueue options is false"), 503],
    [
      'retries used up',
      Object.assign(new Error('Reached the max retries per request limit'), { name: 'MaxRetriesPerRequestError' }),
      503
    ],
    ['command timeout', new Error('Command timed out'), 503],
    ['loading its append-only file', reply('LOADING Redis is loading the dataset in memory'), 503],
    ['read-only replica', reply("READONLY You can't write against a read only replica."), 503],
    ['out of memory', reply("OOM command not allowed when used memory > 'maxmemory'."), 503],
    ['a broken script of ours', reply('ERR Error running script: attempt to compare nil with number'), 500],
    ['a wrong type', reply('WRONGTYPE Operation against a key holding the wrong kind of value'), 500]
  ])('%s → %i', (_what, err, status) => {
    // Act
    const mapped = unavailable(err, 'read the target state');
    // Assess
    expect(toHttpStatus(mapped)).toBe(status);
    if (status === 503) expect(mapped).toBeInstanceOf(TransientError);
  });

  it('lets our own errors through unchanged', () => {
    // Prepare
    const conflict = new ConflictError('state changed');
    // Act / Assess
    expect(unavailable(conflict, 'x')).toBe(conflict);
  });

  it('backs off from 100 ms doubling to 2 s, with jitter', () => {
    // Act
    const delays = [1, 2, 3, 4, 5, 6, 7, 50].map((t) => reconnectDelayMs(t, () => 0.5));
    // Assess
    expect(delays).toEqual([100, 200, 400, 800, 1600, 2000, 2000, 2000]);
    expect(reconnectDelayMs(1, () => 0)).toBe(75);
    expect(reconnectDelayMs(1, () => 1)).toBe(125);
  });

  it('describes a Redis without its credentials', () => {
    // Act / Assess
    expect(describeRedis('rediss://default:s3cret@cache.example.com:6380/2')).toBe('rediss://cache.example.com:6380/2');
    expect(describeRedis('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });
});
