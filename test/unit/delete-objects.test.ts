import { DeleteObjectsCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { deleteBatch } from '../../src/transfer/delete-objects.js';

// A healthy radosgw does not answer DeleteObjects with per-key errors, so this case is mocked.
const s3 = mockClient(S3Client);
afterEach(() => s3.reset());

describe('deleteBatch', () => {
  it('reports keys listed in Errors as failed even when the request succeeded', async () => {
    s3.on(DeleteObjectsCommand).resolves({
      Deleted: [{ Key: 'p/a' }, { Key: 'p/c' }],
      Errors: [{ Key: 'p/b', Code: 'AccessDenied', Message: 'Access Denied' }],
    });
    const result = await deleteBatch(new S3Client({ region: 'us-east-1' }), 'bucket', ['p/a', 'p/b', 'p/c'], (k) => k.slice(2));
    expect(result.deleted).toEqual(['p/a', 'p/c']);
    expect(result.failed).toHaveLength(1);
    expect(result.failed[0]!.objectKey).toBe('p/b');
    expect(result.failed[0]!.error).toMatchObject({ key: 'b', code: 'AccessDenied', operation: 'delete' });
    const sent = s3.commandCalls(DeleteObjectsCommand)[0]!.args[0].input;
    expect(sent.Delete?.Quiet).toBe(false);
    expect(sent.Delete?.Objects).toEqual([{ Key: 'p/a' }, { Key: 'p/b' }, { Key: 'p/c' }]);
  });

  it('fails every key of the batch when the request fails', async () => {
    s3.on(DeleteObjectsCommand).rejects(Object.assign(new Error('Service Unavailable'), { name: 'SlowDown', $metadata: { httpStatusCode: 503 } }));
    const result = await deleteBatch(new S3Client({ region: 'us-east-1' }), 'bucket', ['a', 'b'], (k) => k);
    expect(result.deleted).toEqual([]);
    expect(result.failed.map((f) => [f.objectKey, f.error.retryable])).toEqual([
      ['a', true],
      ['b', true],
    ]);
  });

  it('refuses more than 1000 keys in one batch', async () => {
    const keys = Array.from({ length: 1001 }, (_, i) => `k${i}`);
    await expect(deleteBatch(new S3Client({ region: 'us-east-1' }), 'bucket', keys, (k) => k)).rejects.toThrow(RangeError);
  });
});
