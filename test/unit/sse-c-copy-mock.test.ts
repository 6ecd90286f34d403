import { createHash, randomBytes } from 'node:crypto';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createSyncer } from 's3kit';

/*
 * radosgw 16 cannot copy SSE-C objects server-side with a different target key (CopyObject: 501,
 * UploadPartCopy: 400 "calculated MD5 of the key did not match"), which AWS does. The mock plays
 * AWS; the test asserts the exact key parameters of every command of a server-side copy.
 */

const s3 = mockClient(S3Client);
afterEach(() => s3.reset());

const sourceKey = randomBytes(32);
const targetKey = randomBytes(32);
const params = (key: Buffer) => ({ SSECustomerAlgorithm: 'AES256', SSECustomerKey: key.toString('base64'), SSECustomerKeyMD5: createHash('md5').update(key).digest('base64') });
const copySource = (key: Buffer) => ({
  CopySourceSSECustomerAlgorithm: 'AES256',
  CopySourceSSECustomerKey: key.toString('base64'),
  CopySourceSSECustomerKeyMD5: createHash('md5').update(key).digest('base64'),
});

describe('SSE-C server-side copies (AWS, mocked)', () => {
  it('CopyObject, HeadObject, CreateMultipartUpload, UploadPartCopy and CompleteMultipartUpload carry the source and target keys', async () => {
    s3.on(ListObjectsV2Command, { Prefix: 'src/' }).resolves({
      IsTruncated: false,
      Contents: [
        { Key: 'src/big', Size: 300, ETag: '"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"', LastModified: new Date('2026-01-01') },
        { Key: 'src/small', Size: 10, ETag: '"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"', LastModified: new Date('2026-01-01') },
      ],
    });
    s3.on(ListObjectsV2Command, { Prefix: 'dst/' }).resolves({ IsTruncated: false, Contents: [] });
    s3.on(CopyObjectCommand).resolves({});
    s3.on(HeadObjectCommand).resolves({ ContentLength: 300 });
    s3.on(GetObjectTaggingCommand).resolves({ TagSet: [] });
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u1', $metadata: { attempts: 1 } });
    s3.on(UploadPartCopyCommand).resolves({ CopyPartResult: { ETag: '"cccccccccccccccccccccccccccccccc"' } });
    s3.on(CompleteMultipartUploadCommand).resolves({});
    const summary = await createSyncer({
      source: 's3://bkt/src/',
      target: 's3://bkt/dst/',
      client: new S3Client({ region: 'us-east-1' }),
      copySourceSseCustomerKey: { key: sourceKey },
      sseCustomerKey: { algorithm: 'AES256', key: targetKey },
      multipartCopyThreshold: 100,
    }).run();
    expect(summary.failedCount, JSON.stringify(summary.failures)).toBe(0);
    expect(summary.byMethod).toEqual({ 'server-copy': 1, 'multipart-copy': 1 });
    const input = (command: Parameters<typeof s3.commandCalls>[0]) => s3.commandCalls(command).map((call) => call.args[0].input as Record<string, unknown>);
    expect(input(CopyObjectCommand)).toEqual([expect.objectContaining({ Key: 'dst/small', ...params(targetKey), ...copySource(sourceKey) })]);
    expect(input(HeadObjectCommand)).toEqual([expect.objectContaining({ Key: 'src/big', ...params(sourceKey) })]);
    expect(input(CreateMultipartUploadCommand)).toEqual([expect.objectContaining({ Key: 'dst/big', ...params(targetKey) })]);
    expect(input(UploadPartCopyCommand)).toEqual([expect.objectContaining({ Key: 'dst/big', ...params(targetKey), ...copySource(sourceKey) })]);
    expect(input(CompleteMultipartUploadCommand)).toEqual([expect.objectContaining({ Key: 'dst/big', ...params(targetKey) })]);
    // The target key is not sent as the source's, nor the reverse.
    expect(input(HeadObjectCommand)[0]).not.toHaveProperty('CopySourceSSECustomerKey');
  });
});
