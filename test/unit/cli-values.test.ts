import { resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseBwlimit, parseDurationSeconds, parseMaxDelete, parseMetadata, parseSize } from '../../src/cli/values.js';
import { connectionOptions, syncSettings } from '../../src/cli/sync-flags.js';
import { colorEnabled } from '../../src/cli/run-sync.js';

describe('CLI values', () => {
  it.each([
    ['64MB', 64 * 1024 * 1024],
    ['8MiB', 8 * 1024 * 1024],
    ['512KB', 512 * 1024],
    ['1.5GiB', 1.5 * 1024 ** 3],
    ['1048576', 1048576],
  ])('size %s = %i bytes (MB as in aws-cli)', (text, value) => {
    expect(parseSize(text)).toBe(value);
  });

  it.each(['5XB', 'MB', '-1MB', ''])('rejects size %j', (text) => {
    expect(() => parseSize(text)).toThrow(InvalidArgumentError);
  });

  it.each([
    ['10MiB/s', 10 * 1024 * 1024],
    ['10MiB', 10 * 1024 * 1024],
    ['10MB/s', 10 * 1024 * 1024],
    ['500KiB/s', 500 * 1024],
    ['1M', 1024 * 1024],
    ['1.5m', 1.5 * 1024 * 1024],
    ['2G/s', 2 * 1024 ** 3],
    ['1048576', 1048576],
    [' 64 KiB / s ', 64 * 1024],
  ])('--bwlimit %j = %i bytes per second', (text, value) => {
    expect(parseBwlimit(text)).toBe(value);
  });

  it.each([
    ['10Mb/s', /--bwlimit "10Mb\/s".*bits.*10MB\/s/],
    ['0', /--bwlimit "0" .*leave --bwlimit out for no limit/],
    ['fast', /--bwlimit "fast" is not a rate: .*10MiB\/s/],
    ['-1M', /--bwlimit "-1M" is not a rate/],
    ['10MiB/h', /--bwlimit "10MiB\/h" is not a rate/],
    ['', /--bwlimit "" is not a rate/],
  ])('rejects --bwlimit %j with a message naming the flag', (text, message) => {
    expect(() => parseBwlimit(text)).toThrow(InvalidArgumentError);
    expect(() => parseBwlimit(text)).toThrow(message);
  });

  it('parses durations, max-delete and metadata', () => {
    expect(parseDurationSeconds('1h')).toBe(3600);
    expect(parseDurationSeconds('900')).toBe(900);
    expect(() => parseDurationSeconds('soon')).toThrow(/not a duration/);
    expect(parseMaxDelete('10%')).toBe('10%');
    expect(parseMaxDelete('7')).toBe(7);
    expect(parseMetadata('a=1, b = x=y')).toEqual({ a: '1', b: 'x=y' });
    expect(parseMetadata('{"k":"v"}')).toEqual({ k: 'v' });
    expect(() => parseMetadata('novalue')).toThrow(/key=value/);
  });

  it.each<[string, Parameters<typeof syncSettings>[0], string, RegExp | string]>([
    ['a backup prefix for an S3 target', { backupPrefix: 's3://bucket/bk/{date}/' }, 's3://bucket/site', 's3://bucket/bk/{date}/'],
    ['a backup directory for a local target (made absolute, for plan files)', { backupDir: './bk' }, './site', resolve('bk')],
    ['both backup flags', { backupDir: './bk', backupPrefix: 's3://b/x/' }, './site', /--backup-dir .* or --backup-prefix .*not both/],
    ['--backup-dir for an S3 target', { backupDir: './bk' }, 's3://bucket/site', /--backup-dir is for local targets.*--backup-prefix/],
    ['--backup-prefix for a local target', { backupPrefix: 's3://bucket/bk/' }, './site', /--backup-prefix is for S3 targets.*--backup-dir/],
    ['--backup-prefix that is not an S3 URL', { backupPrefix: './bk' }, 's3://bucket/site', /--backup-prefix takes s3:\/\/bucket\/prefix/],
    ['--backup-dir that is a URL', { backupDir: 's3://bucket/bk/' }, './site', /--backup-dir takes a local directory/],
  ])('maps %s', (_what, flags, target, expected) => {
    if (typeof expected === 'string') expect(syncSettings(flags, [], target).backup).toBe(expected);
    else expect(() => syncSettings(flags, [], target)).toThrow(expected);
  });

  it('maps flags to settings and the environment to a connection', () => {
    expect(syncSettings({ sse: true, checksum: true, ignoreFile: [] }, [{ type: 'exclude', pattern: '*.tmp' }], 's3://bucket/p')).toEqual({
      compare: 'checksum',
      rules: [{ type: 'exclude', pattern: '*.tmp' }],
      upload: { sse: 'AES256' },
    });
    expect(() => syncSettings({ sseKmsKeyId: 'k' }, [], 's3://bucket/p')).toThrow(/--sse aws:kms/);
    expect(syncSettings({ bwlimit: 2 * 1024 * 1024 }, [], 's3://bucket/p')).toEqual({ bandwidthLimit: 2 * 1024 * 1024 });
    expect(connectionOptions({}, { AWS_ENDPOINT_URL_S3: 'http://s3', AWS_ENDPOINT_URL: 'http://other', AWS_DEFAULT_REGION: 'eu-west-1' })).toEqual({
      endpoint: 'http://s3',
      region: 'eu-west-1',
    });
    expect(connectionOptions({ endpointUrl: 'http://flag', region: 'r', pathStyle: true, profile: 'p' }, { AWS_ENDPOINT_URL: 'http://env' })).toEqual({
      endpoint: 'http://flag',
      region: 'r',
      profile: 'p',
      forcePathStyle: true,
    });
  });
});

describe('colours', () => {
  it.each([
    [true, {}, true],
    [true, { NO_COLOR: '' }, false],
    [true, { NO_COLOR: '1' }, false],
    [true, { TERM: 'dumb' }, false],
    [false, {}, false],
  ])('tty=%s env=%j → %s', (tty, env, expected) => {
    expect(colorEnabled(tty, env)).toBe(expected);
  });
});
