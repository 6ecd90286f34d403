import { CreateMultipartUploadCommand } from '@aws-sdk/client-s3';
import { abortIncompleteUploads, createS3Client, listIncompleteUploads, type IncompleteUpload } from 's3kit';
import { describe, expect, it } from 'vitest';
import { connection, createTestBucket, testClient } from '../helpers/s3.js';

/*
 * Incomplete multipart uploads of keys that XML and URL encoding treat specially: listed under
 * their own names (the SDK's XML reader turns a key that is only white space with a line break
 * into ""), so `s3kit uploads abort` aborts them instead of failing on a key that does not exist.
 */
const ODD = ['\n', '\r\n', ' x ', '%41', 'p+q', 'sp ace', 'ü', 'a&b'];

async function listed(bucket: string): Promise<IncompleteUpload[]> {
  const uploads: IncompleteUpload[] = [];
  for await (const upload of listIncompleteUploads(createS3Client(connection()), { kind: 's3', bucket, prefix: '' })) uploads.push(upload);
  return uploads;
}

describe('incomplete uploads of odd keys', () => {
  it('are listed under their names and aborted, leaving none', async () => {
    const bucket = await createTestBucket('odd-uploads');
    for (const key of ODD) await testClient().send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    await testClient().send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: '\n' }));
    const keys = (await listed(bucket)).map((upload) => upload.key);
    expect([...keys].sort()).toEqual([...ODD, '\n'].sort());
    const aborted = await abortIncompleteUploads(createS3Client(connection()), { kind: 's3', bucket, prefix: '' });
    expect(aborted.length).toBe(ODD.length + 1);
    expect(await listed(bucket)).toEqual([]);
  });
});
