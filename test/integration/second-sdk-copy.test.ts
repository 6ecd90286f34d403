import { createRequire } from 'node:module';
import { CreateMultipartUploadCommand, S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { abortIncompleteUploads, listIncompleteUploads, type IncompleteUpload } from 's3kit';
import { connection, createTestBucket, incompleteUploads, testClient } from '../helpers/s3.js';

const MiB = 1024 * 1024;

/**
 * An S3Client from a second copy of @aws-sdk/client-s3 (an application with its own version
 * installed beside the one s3kit resolves): the same API, another class. `uploads list` and
 * `uploads abort` have only ever called `client.send`, which such a client serves; the SDK's
 * paginators refuse it (they check `instanceof` their own S3Client). (A sync's listing has used
 * paginateListObjectsV2 all along, so a sync needs the same copy.)
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
});
