import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { TransferManager } from 's3kit';
import { deleteBatch } from '../../src/transfer/delete-objects.js';
import { acquireS3LeaseLock } from '../../src/syncer/s3-pair-lock.js';

/*
 * What radosgw cannot show: a server that takes If-Match quoted (AWS), one that ignores
 * conditional requests, and the conditions on requests radosgw ignores (CompleteMultipartUpload,
 * DeleteObjects). The radosgw side is in test/integration/bisync-guards.test.ts.
 */

const s3 = mockClient(S3Client);
afterEach(() => s3.reset());

const preconditionFailed = (): Error => Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), { name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
const notFound = (): Error => Object.assign(new Error('Not Found'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } });
const location = { kind: 's3', bucket: 'b', prefix: 'p/' } as const;

describe('the S3 lease lock learns what the server honours', () => {
  it('AWS: If-None-Match honoured, If-Match taken quoted; release deletes with If-Match', async () => {
    let etag = 'e1';
    let exists = false;
    let version = 1;
    s3.on(HeadObjectCommand).callsFake(() => {
      if (!exists) throw notFound();
      return { ETag: `"${etag}"`, LastModified: new Date() };
    });
    s3.on(PutObjectCommand).callsFake((input: { IfMatch?: string; IfNoneMatch?: string }) => {
      if (input.IfNoneMatch === '*' && exists) throw preconditionFailed();
      if (input.IfMatch !== undefined && input.IfMatch !== `"${etag}"`) throw preconditionFailed();
      exists = true;
      etag = `e${++version}`;
      return { ETag: `"${etag}"` };
    });
    s3.on(DeleteObjectCommand).resolves({});
    const warnings: string[] = [];
    const held = await acquireS3LeaseLock({ client: new S3Client({ region: 'us-east-1' }), location, leaseMs: 60_000, onLost: () => {}, onWarning: (m) => warnings.push(m) }, new AbortController().signal);
    expect(held.writes.ifNoneMatch).toBe(true);
    expect(held.writes.ifMatch?.('abc')).toBe('"abc"');
    expect(warnings).toEqual([]);
    const puts = s3.commandCalls(PutObjectCommand).map((call) => [call.args[0].input.IfNoneMatch, call.args[0].input.IfMatch]);
    expect(puts).toEqual([
      ['*', undefined],
      ['*', undefined],
      [undefined, '"00000000000000000000000000000000"'],
      [undefined, '"e2"'],
    ]);
    await held.release();
    expect(s3.commandCalls(DeleteObjectCommand)[0]?.args[0].input).toMatchObject({ Bucket: 'b', Key: 'p/.s3kit-bisync.lock', IfMatch: `"${etag}"` });
  });

  it('a server that ignores both headers: the lock is best effort and the run is told', async () => {
    s3.on(HeadObjectCommand).rejects(notFound());
    let n = 0;
    s3.on(PutObjectCommand).callsFake(() => ({ ETag: `"e${++n}"` }));
    const warnings: string[] = [];
    const held = await acquireS3LeaseLock({ client: new S3Client({ region: 'us-east-1' }), location, leaseMs: 60_000, onLost: () => {}, onWarning: (m) => warnings.push(m) }, new AbortController().signal);
    expect(held.writes).toEqual({ ifNoneMatch: false, ifMatch: undefined });
    expect(warnings.join('\n')).toMatch(/ignores If-None-Match.*best effort/);
    expect(warnings.join('\n')).toMatch(/ignores If-Match.*HEAD just before/);
    await held.release();
  });

  it('a live lock held elsewhere is refused with its owner, a lock that cannot be written names the object', async () => {
    s3.on(HeadObjectCommand).resolves({ ETag: '"x"', LastModified: new Date() });
    s3.on(GetObjectCommand).resolves({ Body: { transformToString: async () => JSON.stringify({ owner: 'o', host: 'h', pid: 9, startedAt: 'then', leaseSeconds: 300 }) } as never });
    const client = new S3Client({ region: 'us-east-1' });
    await expect(acquireS3LeaseLock({ client, location, leaseMs: 300_000, onLost: () => {}, onWarning: () => {} }, new AbortController().signal)).rejects.toThrow(
      /process 9 on h since then.*s3:\/\/b\/p\/\.s3kit-bisync\.lock/,
    );
    s3.reset();
    s3.on(HeadObjectCommand).rejects(notFound());
    s3.on(PutObjectCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    await expect(acquireS3LeaseLock({ client, location, leaseMs: 300_000, onLost: () => {}, onWarning: () => {} }, new AbortController().signal)).rejects.toThrow(
      /Cannot write the bisync lock s3:\/\/b\/p\/\.s3kit-bisync\.lock/,
    );
  });

  it('a renewal refused with 412 loses the lock once, and release then leaves the object alone', async () => {
    let etag = 'e1';
    let exists = false;
    s3.on(HeadObjectCommand).callsFake(() => {
      if (!exists) throw notFound();
      return { ETag: `"${etag}"`, LastModified: new Date() };
    });
    let renewals = 0;
    s3.on(PutObjectCommand).callsFake((input: { IfMatch?: string; IfNoneMatch?: string }) => {
      if (input.IfNoneMatch === '*' && exists) throw preconditionFailed();
      if (input.IfMatch !== undefined && input.IfMatch !== `"${etag}"`) throw preconditionFailed();
      if (exists && input.IfMatch !== undefined && ++renewals > 1) throw preconditionFailed();
      exists = true;
      etag = `${etag}x`;
      return { ETag: `"${etag}"` };
    });
    const lost: string[] = [];
    const held = await acquireS3LeaseLock({ client: new S3Client({ region: 'us-east-1' }), location, leaseMs: 300, onLost: (e) => lost.push(e.reason), onWarning: () => {} }, new AbortController().signal);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(lost).toEqual(['lock-lost']);
    await held.release();
    expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(0);
  });
});

describe('a renewal whose answer was lost', () => {
  it('is still our lock: the next renewal adopts the ETag it never saw instead of giving up', async () => {
    let etag = 'e1';
    let exists = false;
    let stored = '';
    let puts = 0;
    s3.on(HeadObjectCommand).callsFake(() => {
      if (!exists) throw notFound();
      return { ETag: `"${etag}"`, LastModified: new Date() };
    });
    s3.on(GetObjectCommand).callsFake(() => ({ Body: { transformToString: async () => stored } }));
    s3.on(PutObjectCommand).callsFake((input: { IfMatch?: string; IfNoneMatch?: string; Body?: string }) => {
      if (input.IfNoneMatch === '*' && exists) throw preconditionFailed();
      if (input.IfMatch !== undefined && input.IfMatch !== `"${etag}"`) throw preconditionFailed();
      exists = true;
      stored = String(input.Body);
      etag = `e${++puts + 1}`;
      // The first renewal (the 5th PUT) lands, but its answer is lost on the way back.
      if (puts === 5) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      return { ETag: `"${etag}"` };
    });
    const lost: string[] = [];
    const held = await acquireS3LeaseLock({ client: new S3Client({ region: 'us-east-1' }), location, leaseMs: 300, onLost: (e) => lost.push(e.reason), onWarning: () => {} }, new AbortController().signal);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(puts).toBeGreaterThanOrEqual(6);
    expect(lost).toEqual([]);
    await held.release();
    expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(1);
  });
});

describe('conditions on requests radosgw ignores', () => {
  it('DeleteObjects carries the ETag of each key given one', async () => {
    s3.on(DeleteObjectsCommand).resolves({ Deleted: [{ Key: 'a' }, { Key: 'b' }] });
    await deleteBatch(new S3Client({ region: 'us-east-1' }), 'bucket', ['a', 'b'], (k) => k, undefined, new Map([['a', '"ea"']]));
    expect(s3.commandCalls(DeleteObjectsCommand)[0]?.args[0].input.Delete?.Objects).toEqual([
      { Key: 'a', ETag: '"ea"' },
      { Key: 'b', ETag: undefined },
    ]);
  });

  it('a multipart upload with a write condition completes with it; a single PUT sends it too', async () => {
    const dir = await mkdtemp(join(tmpdir(), 's3kit-cond-'));
    await writeFile(join(dir, 'big.bin'), Buffer.alloc(6 * 1024 * 1024, 1));
    await writeFile(join(dir, 'small.bin'), 'small');
    const $metadata = { attempts: 1, httpStatusCode: 200 };
    s3.onAnyCommand().resolves({ $metadata });
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u1', $metadata });
    s3.on(UploadPartCommand).resolves({ ETag: '"part"', $metadata });
    s3.on(CompleteMultipartUploadCommand).resolves({ ETag: '"done-2"', $metadata });
    s3.on(PutObjectCommand).resolves({ ETag: '"small"', $metadata });
    const manager = new TransferManager({ client: new S3Client({ region: 'us-east-1' }), multipartThreshold: 5 * 1024 * 1024, partSize: 5 * 1024 * 1024, retries: 0 });
    const failures: string[] = [];
    const route = { from: { kind: 'local', path: dir } as const, to: { kind: 's3', bucket: 'b', prefix: '' } as const };
    const hooks = { onFailed: (error: Error) => failures.push(error.message) };
    await manager.enqueue(
      {
        type: 'update',
        key: 'big.bin',
        reason: 'checksum-differs',
        source: { key: 'big.bin', size: 6 * 1024 * 1024, mtimeMs: Date.now(), path: join(dir, 'big.bin') },
        target: { key: 'big.bin', size: 1, mtimeMs: 0, etag: 'old' },
      },
      { ...route, writeCondition: { ifMatch: '"old"' } },
      hooks,
    );
    await manager.enqueue(
      { type: 'copy', key: 'small.bin', reason: 'missing-in-target', source: { key: 'small.bin', size: 5, mtimeMs: Date.now(), path: join(dir, 'small.bin') } },
      { ...route, writeCondition: { ifNoneMatch: '*' } },
      hooks,
    );
    await manager.onIdle();
    expect(failures).toEqual([]);
    expect(s3.commandCalls(CompleteMultipartUploadCommand)[0]?.args[0].input.IfMatch).toBe('"old"');
    expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input.IfNoneMatch).toBe('*');
    // Parts take no condition (S3 refuses one there): only the completion carries it.
    expect(s3.commandCalls(UploadPartCommand).every((call) => !('IfMatch' in call.args[0].input))).toBe(true);
  });
});
