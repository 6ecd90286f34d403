import { ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { ListingError } from '../../src/core/errors.js';
import { listVersions, type ObjectVersion } from '../../src/versions/list-versions.js';

// How AWS answers a URL-encoded version listing (NextKeyMarker encoded too; radosgw sends it
// raw, which the integration suite covers), and answers no real server here gives.
const s3 = mockClient(S3Client);
afterEach(() => s3.reset());

const location = { kind: 's3', bucket: 'bkt', prefix: 'p/' } as const;
const when = new Date('2026-11-01T00:00:00Z');

async function keysOf(pageSize?: number): Promise<string[]> {
  const seen: ObjectVersion[] = [];
  for await (const version of listVersions(new S3Client({ region: 'us-east-1' }), location, { pageSize })) seen.push(version);
  return seen.map((version) => version.key);
}

describe('listVersions', () => {
  it('asks for URL-encoded keys, decodes them, and continues after the last entry by its name, not by the encoded marker', async () => {
    s3.on(ListObjectVersionsCommand)
      .resolvesOnce({
        EncodingType: 'url',
        IsTruncated: true,
        NextKeyMarker: 'p/a%2Bb%0A',
        NextVersionIdMarker: 'v2',
        Versions: [{ Key: 'p/%0A', VersionId: 'v1', IsLatest: true, LastModified: when, Size: 1 }],
        DeleteMarkers: [{ Key: 'p/a%2Bb%0A', VersionId: 'v2', IsLatest: true, LastModified: when }],
      })
      .resolvesOnce({ EncodingType: 'url', IsTruncated: false, Versions: [{ Key: 'p/x+y', VersionId: 'v3', IsLatest: true, LastModified: when, Size: 2 }] });
    expect(await keysOf(2)).toEqual(['\n', 'a+b\n', 'x y']);
    const calls = s3.commandCalls(ListObjectVersionsCommand).map((call) => call.args[0].input);
    expect(calls.map((input) => input.EncodingType)).toEqual(['url', 'url']);
    expect(calls[1]).toMatchObject({ KeyMarker: 'p/a+b\n', VersionIdMarker: 'v2' });
  });

  it('continues from the decoded marker after a truncated page with no entries (AWS encodes the marker when it says it encoded)', async () => {
    s3.on(ListObjectVersionsCommand)
      .resolvesOnce({ EncodingType: 'url', IsTruncated: true, NextKeyMarker: 'p/a%2Bb+c', NextVersionIdMarker: 'v1' })
      .resolvesOnce({ EncodingType: 'url', IsTruncated: false, Versions: [{ Key: 'p/z', VersionId: 'v2', IsLatest: true, LastModified: when, Size: 1 }] });
    expect(await keysOf()).toEqual(['z']);
    expect(s3.commandCalls(ListObjectVersionsCommand)[1]?.args[0].input).toMatchObject({ KeyMarker: 'p/a+b c', VersionIdMarker: 'v1' });
  });

  it('reads plain keys from a server that ignores the encoding (no EncodingType in the answer)', async () => {
    s3.on(ListObjectVersionsCommand).resolves({ IsTruncated: false, Versions: [{ Key: 'p/100%41+', VersionId: 'v1', IsLatest: true, LastModified: when, Size: 1 }] });
    expect(await keysOf()).toEqual(['100%41+']);
  });

  it('fails on a key that is not valid URL encoding, naming it', async () => {
    s3.on(ListObjectVersionsCommand).resolves({ EncodingType: 'url', IsTruncated: false, Versions: [{ Key: 'p/100%zz', VersionId: 'v1', IsLatest: true, LastModified: when, Size: 1 }] });
    const error = await keysOf().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ListingError);
    expect(error).toMatchObject({ code: 'BadKeyEncoding' });
    expect(String((error as Error).message)).toContain('100%zz');
  });

  it('fails a listing whose server answers the same markers again, instead of listing for ever', async () => {
    s3.on(ListObjectVersionsCommand).resolves({
      IsTruncated: true,
      NextKeyMarker: 'p/a',
      NextVersionIdMarker: 'v1',
      Versions: [{ Key: 'p/a', VersionId: 'v1', IsLatest: true, LastModified: when, Size: 1 }],
    });
    const seen: string[] = [];
    const listing = async (): Promise<void> => {
      for await (const version of listVersions(new S3Client({ region: 'us-east-1' }), location)) seen.push(version.key);
    };
    await expect(listing()).rejects.toMatchObject({ code: 'RepeatedContinuationToken' });
    expect(s3.commandCalls(ListObjectVersionsCommand).length).toBe(2);
  });
});
