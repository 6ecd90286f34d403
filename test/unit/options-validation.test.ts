import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { createSyncer } from '../../src/syncer/create-syncer.js';

/** Every call the code under test makes into node:fs and node:fs/promises, by name. */
const io = vi.hoisted(() => {
  const calls: string[] = [];
  // Functions only: classes (Stats, ReadStream…) and constants pass through untouched.
  const spyOn = <M extends object>(module: M, name: string): M =>
    Object.fromEntries(
      Object.entries(module).map(([key, value]) => [
        key,
        typeof value === 'function' && /^[a-z]/.test(key)
          ? function (this: unknown, ...args: unknown[]) {
              calls.push(`${name}.${key}`);
              return Reflect.apply(value as (...a: unknown[]) => unknown, this, args);
            }
          : value,
      ]),
    ) as M;
  return { calls, spyOn };
});
vi.mock('node:fs/promises', async (original) => io.spyOn(await original<object>(), 'fs/promises'));
vi.mock('node:fs', async (original) => io.spyOn(await original<object>(), 'fs'));

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
    [{ mtimeWindowMs: -1 }, 'mtimeWindowMs', /mtimeWindowMs must be a non-negative number of milliseconds, got -1/],
    [{ listPageSize: -5 }, 'listPageSize', /listPageSize must be a whole number from 1 to 1000 .*got -5/],
    [{ multipartCopyThreshold: -1 }, 'multipartCopyThreshold', /multipartCopyThreshold must be a whole number of bytes.*got -1/],
    [{ multipartCopyThreshold: 1.5 }, 'multipartCopyThreshold', /multipartCopyThreshold must be a whole number of bytes.*got 1.5/],
    [{ metadataDirective: 'KEEP' as never }, 'metadataDirective', /metadataDirective must be one of COPY, REPLACE, got "KEEP"/],
    [{ maxSockets: -1 }, 'maxSockets', /maxSockets must be a positive integer, got -1/],
    [{ upload: { sse: 'rot13' as never } }, 'upload.sse', /upload.sse must be one of AES256, aws:kms, got "rot13"/],
    [{ concurrency: 0 }, 'concurrency', /concurrency must be a positive integer, got 0/],
    [{ partSize: 4 * 1024 * 1024 }, 'partSize', /partSize must be .*5 MiB.*5 GiB.*got 4194304/],
    [{ partSize: 6 * 1024 * 1024 * 1024, multipartThreshold: 7 * 1024 * 1024 * 1024 }, 'partSize', /partSize must be .*5 MiB.*5 GiB.*got 6442450944/],
    [{ retries: -1 }, 'retries', /retries must be a non-negative integer, got -1/],
    [{ bandwidthLimit: 0 }, 'bandwidthLimit', /bandwidthLimit must be a positive number of bytes per second .*got 0/],
    [{ bandwidthLimit: -5 }, 'bandwidthLimit', /bandwidthLimit must be a positive number of bytes per second .*got -5/],
    [{ bandwidthLimit: Number.POSITIVE_INFINITY }, 'bandwidthLimit', /leave it out for no limit/],
    [{ bandwidthLimit: '10MiB/s' as never }, 'bandwidthLimit', /bandwidthLimit must be a positive number of bytes per second.*got "10MiB\/s"/],
    [{ delet: true } as never, 'delet', /unknown option "delet".*delete/],
    [{ sourceConnection: { endpont: 'http://x' } } as never, 'sourceConnection.endpont', /unknown option "sourceConnection.endpont"/],
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

  it('accepts sound options without doing any I/O', async () => {
    // An endpoint that counts connections, and a source whose stat or walk would fail: neither
    // is touched until the run.
    let connections = 0;
    const server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      io.calls.length = 0;
      const syncer = createSyncer({ ...ok, source: '/dev/null/not-a-directory', endpoint, concurrency: 4, maxDelete: '5%', compare: 'checksum' });
      expect(syncer.source.kind).toBe('local');
      expect(syncer.target).toEqual({ kind: 's3', bucket: 'bucket', prefix: 'prefix/' });
      // Anything started in the background would have shown by now.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(io.calls).toEqual([]);
      expect(connections).toBe(0);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('accepts multipartCopyThreshold 0 (--multipart-copy-threshold 0: every non-empty object copied in parts)', () => {
    // The copier has always taken 0 (its methodFor copies empty objects whole); the CLI flag
    // passes it on as given.
    expect(() => createSyncer({ ...ok, source: 's3://bucket-a/x', target: 's3://bucket-b/y', multipartCopyThreshold: 0 })).not.toThrow();
  });

  it('the I/O spy sees what the code does (so the test above can fail)', async () => {
    const { stat } = await import('node:fs/promises');
    io.calls.length = 0;
    await stat('.');
    expect(io.calls).toEqual(['fs/promises.stat']);
  });
});
