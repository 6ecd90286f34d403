import { createRequire } from 'node:module';
import { CreateMultipartUploadCommand, S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { abortIncompleteUploads, createSyncer, listIncompleteUploads, type IncompleteUpload } from 's3kit';
import { connection, createTestBucket, getObjectBytes, incompleteUploads, listObjects, testClient } from '../helpers/s3.js';
import { tempDir, writeTree } from '../helpers/files.js';

const MiB = 1024 * 1024;

/**
 * An S3Client from a second copy of @aws-sdk/client-s3 (an application with its own version
 * installed beside the one s3kit resolves): the same API, another class. `uploads list` and
 * `uploads abort` have only ever called `client.send`, which such a client serves; the SDK's
 * paginators refuse it (they check `instanceof` their own S3Client), so s3kit uses none.
 */
function clientOfAnotherCopy(): S3Client {
  const require = createRequire(import.meta.url);
  const path = require.resolve('@aws-sdk/client-s3');
  const cached = require.cache[path];
  delete require.cache[path];
  try {
    const other = require('@aws-sdk/client-s3') as typeof import('@aws-sdk/client-s3');
    const client = new other.S3Client({ ...connection(), forcePathStyle: true });
    expect(client).not.toBeInstanceOf(S3Client);
    return client as unknown as S3Client;
  } finally {
    if (cached !== undefined) require.cache[path] = cached;
  }
}

describe('a client from another copy of the SDK', () => {
  it('lists incomplete uploads with their parts', async () => {
    const bucket = await createTestBucket('othersdk-list');
    const { UploadId } = await testClient().send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'left.bin' }));
    await testClient().send(new UploadPartCommand({ Bucket: bucket, Key: 'left.bin', UploadId, PartNumber: 1, Body: Buffer.alloc(5 * MiB, 1) }));
    const found: IncompleteUpload[] = [];
    for await (const upload of listIncompleteUploads(clientOfAnotherCopy(), { kind: 's3', bucket, prefix: '' })) found.push(upload);
    expect(found.map((upload) => [upload.key, upload.uploadId, upload.parts, upload.bytes])).toEqual([['left.bin', UploadId, 1, 5 * MiB]]);
    expect(await abortIncompleteUploads(clientOfAnotherCopy(), { kind: 's3', bucket, prefix: '' })).toHaveLength(1);
    expect(await incompleteUploads(bucket)).toBe(0);
  });

  it('syncs both ways with it (a library user passing their own client)', async () => {
    const bucket = await createTestBucket('othersdk-sync');
    const dir = await tempDir('othersdk');
    await writeTree(dir, { 'a.txt': 'a', 'sub/b.txt': 'bb' });
    const client = clientOfAnotherCopy();
    const up = await createSyncer({ source: dir, target: `s3://${bucket}/p`, client }).run();
    expect(up.failedCount).toBe(0);
    expect([...(await listObjects(bucket)).keys()].sort()).toEqual(['p/a.txt', 'p/sub/b.txt']);
    expect((await getObjectBytes(bucket, 'p/sub/b.txt')).toString()).toBe('bb');
    const again = await createSyncer({ source: dir, target: `s3://${bucket}/p`, client }).run();
    expect(again.copied.count + again.updated.count).toBe(0);
    const down = await tempDir('othersdk-down');
    const back = await createSyncer({ source: `s3://${bucket}/p`, target: down, client }).run();
    expect(back.copied.count).toBe(2);
  });
});
