import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CopyObjectCommand, GetObjectCommand, HeadObjectCommand, InvalidObjectState, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createSyncer } from 's3kit';

/*
 * radosgw has no archive tier: a GLACIER object there reads like any other. AWS refuses a GET or
 * a copy of an unrestored GLACIER / DEEP_ARCHIVE object with 403 InvalidObjectState, naming the
 * class; the mock plays that answer, and the listing's StorageClass field.
 */

const s3 = mockClient(S3Client);
afterEach(() => s3.reset());

function invalidObjectState(storageClass: 'GLACIER' | 'DEEP_ARCHIVE'): InvalidObjectState {
  return new InvalidObjectState({ message: 'The operation is not valid for the object\'s storage class', StorageClass: storageClass, $metadata: { httpStatusCode: 403 } });
}

function listing(): void {
  s3.on(ListObjectsV2Command).resolves({
    IsTruncated: false,
    Contents: [
      { Key: 'photos/2019/a.jpg', Size: 5, ETag: '"d41d8cd98f00b204e9800998ecf8427e"', LastModified: new Date('2020-01-01'), StorageClass: 'GLACIER' },
      { Key: 'photos/2019/b.jpg', Size: 5, ETag: '"d41d8cd98f00b204e9800998ecf8427f"', LastModified: new Date('2020-01-01'), StorageClass: 'DEEP_ARCHIVE' },
    ],
  });
}

describe('archived objects', () => {
  it('a download of an unrestored GLACIER or DEEP_ARCHIVE object fails per file, naming the class and the restore command; nothing is written', async () => {
    listing();
    s3.on(GetObjectCommand, { Key: 'photos/2019/a.jpg' }).rejects(invalidObjectState('GLACIER'));
    s3.on(GetObjectCommand, { Key: 'photos/2019/b.jpg' }).rejects(invalidObjectState('DEEP_ARCHIVE'));
    const target = await mkdtemp(join(tmpdir(), 's3kit-archived-'));
    const syncer = createSyncer({ source: 's3://archive-bucket/photos/', target, client: new S3Client({ region: 'us-east-1' }), retries: 0 });
    const summary = await syncer.run();
    expect(summary.failedCount).toBe(2);
    // Transfers run concurrently: failures arrive in either order.
    const [a, b] = [...summary.failures].sort((x, y) => x.key.localeCompare(y.key));
    expect(a).toMatchObject({ key: '2019/a.jpg', code: 'InvalidObjectState' });
    expect(a!.message).toMatch(/GLACIER storage class/);
    expect(a!.message).toContain('aws s3api restore-object --bucket archive-bucket --key "photos/2019/a.jpg"');
    expect(a!.message).toMatch(/S3 console/);
    expect(b!.message).toMatch(/DEEP_ARCHIVE storage class.*up to 48 hours/);
    // One GET each: the refusal is final, not retried.
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(2);
    // No file, partial or whole (the parent directory may have been made before the GET).
    const files = (await readdir(target, { recursive: true, withFileTypes: true })).filter((entry) => !entry.isDirectory());
    expect(files).toEqual([]);
  });

  it('an S3 → S3 copy of an unrestored object fails with the same advice', async () => {
    listing();
    s3.on(ListObjectsV2Command, { Prefix: 'copy/' }).resolves({ IsTruncated: false, Contents: [] });
    s3.on(CopyObjectCommand).rejects(invalidObjectState('GLACIER'));
    s3.on(HeadObjectCommand).rejects(invalidObjectState('GLACIER'));
    const syncer = createSyncer({ source: 's3://archive-bucket/photos/', target: 's3://other-bucket/copy/', client: new S3Client({ region: 'us-east-1' }), retries: 0 });
    const summary = await syncer.run();
    expect(summary.failedCount).toBe(2);
    const messages = summary.failures.map((failure) => failure.message).sort();
    expect(messages[0]).toContain('aws s3api restore-object --bucket archive-bucket --key "photos/2019/a.jpg"');
    expect(messages[1]).toContain('aws s3api restore-object --bucket archive-bucket --key "photos/2019/b.jpg"');
  });
});
