import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseShard, shardOfKey } from '../../src/index.js';
import { validateShard } from '../../src/core/shard.js';

describe('parseShard', () => {
  it.each([
    ['0/4', {}, { index: 0, count: 4 }],
    [' 3 / 4 ', {}, { index: 3, count: 4 }],
    ['0/1', {}, { index: 0, count: 1 }],
    ['auto', { JOB_COMPLETION_INDEX: '2', S3KIT_SHARD_COUNT: '5' }, { index: 2, count: 5 }],
    ['auto/8', { JOB_COMPLETION_INDEX: '7' }, { index: 7, count: 8 }],
    ['auto', { AWS_BATCH_JOB_ARRAY_INDEX: '1', AWS_BATCH_JOB_ARRAY_SIZE: '3' }, { index: 1, count: 3 }],
    ['auto/6', { AWS_BATCH_JOB_ARRAY_INDEX: '5' }, { index: 5, count: 6 }],
  ])('reads %j (%j)', (text, env, shard) => {
    expect(parseShard(text, env, '--shard')).toEqual(shard);
  });

  it.each([
    ['4/4', {}, /--shard.index must be a whole number from 0 to 3 \(shards are numbered from 0\), got 4/],
    ['1/0', {}, /--shard.count must be a whole number from 1 to 10000/],
    ['1/20000', {}, /--shard.count must be a whole number from 1 to 10000/],
    ['half', {}, /--shard "half" must be INDEX\/COUNT with INDEX from 0, e.g. 0\/4, or auto/],
    ['-1/3', {}, /must be INDEX\/COUNT/],
    ['auto', {}, /neither JOB_COMPLETION_INDEX \(Kubernetes Indexed Job\) nor AWS_BATCH_JOB_ARRAY_INDEX/],
    ['auto', { JOB_COMPLETION_INDEX: '1' }, /the number of shards is unknown: write --shard auto\/N/],
    ['auto', { JOB_COMPLETION_INDEX: '' }, /neither JOB_COMPLETION_INDEX/], // an empty variable is no index
    ['auto', { AWS_BATCH_JOB_ARRAY_INDEX: '1' }, /AWS_BATCH_JOB_ARRAY_SIZE is not/],
    ['auto/2', { JOB_COMPLETION_INDEX: '2' }, /\(from JOB_COMPLETION_INDEX\)|index must be a whole number from 0 to 1/],
  ])('refuses %j (%j), naming the flag and the fix', (text, env, message) => {
    expect(() => parseShard(text, env, '--shard')).toThrow(ConfigError);
    expect(() => parseShard(text, env, '--shard')).toThrow(message);
  });

  it('checks a shard given as an option', () => {
    expect(() => validateShard({ index: 1.5, count: 3 }, 'shard')).toThrow(/shard.index must be a whole number from 0 to 2/);
    expect(() => validateShard(undefined, 'shard')).toThrow(/shard.count must be/);
  });
});

describe('shardOfKey', () => {
  it('is the first 32 bits of the MD5 of the key, so the same key lands in the same part everywhere', () => {
    // Pinned: changing the function would move keys between parts of processes already running.
    expect([0, 1, 2, 3].map((i) => shardOfKey(`key-${i}`, 1000))).toEqual(
      [0, 1, 2, 3].map((i) => Number.parseInt(createHash('md5').update(`key-${i}`).digest('hex').slice(0, 8), 16) % 1000),
    );
    expect(shardOfKey('photos/2026/été.jpg', 7)).toBe(shardOfKey('photos/2026/été.jpg', 7));
  });

  it('spreads keys evenly', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 20_000; i++) counts[shardOfKey(`d${i % 50}/f${i}.bin`, 4)]!++;
    for (const count of counts) expect(Math.abs(count - 5_000)).toBeLessThan(300);
  });
});
