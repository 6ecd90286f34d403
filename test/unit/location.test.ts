import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { ConfigError } from '../../src/core/errors.js';
import { formatLocation, parseLocation } from '../../src/core/location.js';

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
