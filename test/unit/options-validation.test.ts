import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { createSyncer } from '../../src/syncer/create-syncer.js';

const ok = { source: '.', target: 's3://bucket/prefix', endpoint: 'http://127.0.0.1:1' };

describe('createSyncer validation', () => {
  it.each([
    [{ concurrency: 0 }, 'concurrency', /positive integer/],
    [{ partSize: 1024 }, 'partSize', /at least 5 MiB/],
    [{ multipartThreshold: 6 * 1024 * 1024, partSize: 8 * 1024 * 1024 }, 'multipartThreshold', /at least partSize/],
    [{ maxDelete: '200%' as const }, 'maxDelete', /percentage/],
    [{ compare: 'fuzzy' as never }, 'compare', /size-mtime, size-only, exact-timestamps, checksum/],
    [{ deleteExcluded: true }, 'deleteExcluded', /delete: true/],
    [{ upload: { sseKmsKeyId: 'k' } }, 'sseKmsKeyId', /aws:kms/],
    [{ source: './a', target: './x' }, 'target', /one side must be an s3:\/\/bucket\/prefix URL/],
    [{ source: 's3://abc/b', target: './x', ignoreFileName: '.gitignore' }, 'ignoreFileName', /source is in S3/],
    [{ target: 'http://x' }, 'target', /unsupported scheme/],
  ])('rejects %j naming %s', (extra, field, message) => {
    let caught: unknown;
    try {
      createSyncer({ ...ok, ...extra });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).field).toBe(field);
    expect((caught as ConfigError).message).toMatch(message);
  });

  it('accepts sound options without doing any I/O', () => {
    const syncer = createSyncer({ ...ok, concurrency: 4, maxDelete: '5%', compare: 'checksum' });
    expect(syncer.source.kind).toBe('local');
    expect(syncer.target).toEqual({ kind: 's3', bucket: 'bucket', prefix: 'prefix/' });
  });
});
