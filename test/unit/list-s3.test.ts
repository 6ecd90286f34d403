import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { ListingError } from '../../src/core/errors.js';
import { listS3 } from '../../src/listing/list-s3.js';

// A healthy radosgw always sends a continuation token with a truncated page; some servers and
// proxies do not, which no real server here can produce, so this case is mocked.
const s3 = mockClient(S3Client);
afterEach(() => s3.reset());

describe('listS3', () => {
  it('fails a listing that says it is truncated but gives no continuation token, instead of ending it early', async () => {
    s3.on(ListObjectsV2Command).resolves({ IsTruncated: true, Contents: [{ Key: 'p/a', Size: 1 }] });
    const seen: string[] = [];
    const listing = async (): Promise<void> => {
      for await (const entry of listS3(new S3Client({ region: 'us-east-1' }), { kind: 's3', bucket: 'bkt', prefix: 'p/' }, { side: 'source' })) seen.push(entry.key);
    };
    const error = await listing().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ListingError);
    expect(error).toMatchObject({ code: 'TruncatedListing', side: 'source' });
    expect(seen).toEqual(['a']);
  });

  it('ends a listing normally when the last page is not truncated', async () => {
    s3.on(ListObjectsV2Command)
      .resolvesOnce({ IsTruncated: true, NextContinuationToken: 't1', Contents: [{ Key: 'p/a', Size: 1 }] })
      .resolvesOnce({ IsTruncated: false, Contents: [{ Key: 'p/b', Size: 2 }] });
    const keys: string[] = [];
    for await (const entry of listS3(new S3Client({ region: 'us-east-1' }), { kind: 's3', bucket: 'bkt', prefix: 'p/' })) keys.push(entry.key);
    expect(keys).toEqual(['a', 'b']);
  });

  it('fails a listing whose server answers the same continuation token again, instead of listing for ever', async () => {
    s3.on(ListObjectsV2Command).resolves({ IsTruncated: true, NextContinuationToken: 'same', Contents: [{ Key: 'p/a', Size: 1 }] });
    let pages = 0;
    const listing = async (): Promise<void> => {
      for await (const _entry of listS3(new S3Client({ region: 'us-east-1' }), { kind: 's3', bucket: 'bkt', prefix: 'p/' }, { side: 'target' })) pages++;
    };
    await expect(listing()).rejects.toMatchObject({ code: 'RepeatedContinuationToken', side: 'target' });
    expect(pages).toBe(2);
  });

  it('asks for the page size it was given and follows the token', async () => {
    s3.on(ListObjectsV2Command)
      .resolvesOnce({ IsTruncated: true, NextContinuationToken: 't1', Contents: [{ Key: 'p/a', Size: 1 }] })
      .resolvesOnce({ IsTruncated: false, Contents: [] });
    for await (const _entry of listS3(new S3Client({ region: 'us-east-1' }), { kind: 's3', bucket: 'bkt', prefix: 'p/' }, { pageSize: 7 })) void _entry;
    const inputs = s3.commandCalls(ListObjectsV2Command).map((call) => call.args[0].input);
    expect(inputs).toEqual([
      { Bucket: 'bkt', Prefix: 'p/', MaxKeys: 7, ContinuationToken: undefined, EncodingType: 'url' },
      { Bucket: 'bkt', Prefix: 'p/', MaxKeys: 7, ContinuationToken: 't1', EncodingType: 'url' },
    ]);
  });

  it('decodes URL-encoded keys when the answer says they are, and leaves plain answers alone', async () => {
    s3.on(ListObjectsV2Command)
      .resolvesOnce({ IsTruncated: true, NextContinuationToken: 't1', EncodingType: 'url', Contents: [{ Key: 'p/a%2Bb+c%0A', Size: 1 }, { Key: 'p/%C3%A9', Size: 2 }] })
      .resolvesOnce({ IsTruncated: false, Contents: [{ Key: 'p/x%41+y', Size: 3 }] });
    const keys: string[] = [];
    for await (const entry of listS3(new S3Client({ region: 'us-east-1' }), { kind: 's3', bucket: 'bkt', prefix: 'p/' })) keys.push(entry.key);
    expect(keys).toEqual(['a+b c\n', 'é', 'x%41+y']);
  });

  it('refuses a key that is not valid URL encoding instead of guessing', async () => {
    s3.on(ListObjectsV2Command).resolvesOnce({ IsTruncated: false, EncodingType: 'url', Contents: [{ Key: 'p/bad%E0%A4', Size: 1 }] });
    const listing = (async () => {
      for await (const _entry of listS3(new S3Client({ region: 'us-east-1' }), { kind: 's3', bucket: 'bkt', prefix: 'p/' })) void _entry;
    })();
    await expect(listing).rejects.toMatchObject({ name: 'ListingError', code: 'BadKeyEncoding' });
  });
});
