import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { ConfigError, TransferError } from '../../src/core/errors.js';
import { localKeyPath, type LocalKeyPath } from '../../src/core/local-path.js';
import { formatLocation, parseLocation } from '../../src/core/location.js';
import { localPathForKey } from '../../src/transfer/local-key-path.js';

describe('parseLocation', () => {
  it.each([
    ['s3://bucket', { kind: 's3', bucket: 'bucket', prefix: '' }],
    ['s3://bucket/', { kind: 's3', bucket: 'bucket', prefix: '' }],
    ['s3://bucket/photos', { kind: 's3', bucket: 'bucket', prefix: 'photos/' }],
    ['s3://bucket/photos/2024/', { kind: 's3', bucket: 'bucket', prefix: 'photos/2024/' }],
    ['s3://my.bucket-1/a b', { kind: 's3', bucket: 'my.bucket-1', prefix: 'a b/' }],
    ['./site', { kind: 'local', path: resolve('./site') }],
    ['/tmp/x', { kind: 'local', path: '/tmp/x' }],
    ['file:///tmp/y', { kind: 'local', path: '/tmp/y' }],
  ])('parses %s', (input, expected) => {
    expect(parseLocation(input)).toEqual(expected);
  });

  it.each([
    ['s3://', /bucket name is missing/],
    ['s3://ab', /3 to 63 characters/],
    ['s3://My_Bucket', /lower-case letters/],
    ['s3://a..b', /two adjacent dots/],
    ['s3://192.168.1.1', /IP address/],
    ['gs://bucket/x', /unsupported scheme "gs:\/\/"/],
    ['', /empty/],
  ])('rejects %j with a ConfigError that says why', (input, message) => {
    let caught: unknown;
    try {
      parseLocation(input, 'target');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).field).toBe('target');
    expect((caught as ConfigError).message).toMatch(message);
  });

  it('formats back to what a user types', () => {
    expect(formatLocation(parseLocation('s3://bkt/p'))).toBe('s3://bkt/p/');
    expect(formatLocation(parseLocation('/tmp/x'))).toBe('/tmp/x');
  });
});

describe('localKeyPath (core: a result) and localPathForKey (transfer: an UnsafeKey TransferError)', () => {
  const root = '/data/dest';
  it.each<[string, LocalKeyPath]>([
    ['a/b.txt', { path: '/data/dest/a/b.txt' }],
    ['dir/', { path: '/data/dest/dir' }],
    ['../evil', { unsafe: 'refusing to write "../evil" to disk: it has a ".." segment, so it is not a safe local path.' }],
    ['/etc/passwd', { unsafe: 'refusing to write "/etc/passwd" to disk: it is an absolute path, so it is not a safe local path.' }],
    ['a//b', { unsafe: 'refusing to write "a//b" to disk: it has an empty or "." segment, so it is not a safe local path.' }],
    ['x\0y', { unsafe: 'refusing to write "x\\u0000y" to disk: it contains a NUL character, so it is not a safe local path.' }],
  ])('%j', (key, expected) => {
    expect(localKeyPath(root, key)).toEqual(expected);
    if (expected.unsafe === undefined) {
      expect(localPathForKey(root, key)).toBe(expected.path);
    } else {
      const error = (() => {
        try {
          localPathForKey(root, key);
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(TransferError);
      expect(error).toMatchObject({ operation: 'get', key, code: 'UnsafeKey', message: expected.unsafe });
    }
  });
});
