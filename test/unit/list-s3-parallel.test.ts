import type { ListObjectsV2CommandInput, ListObjectsV2CommandOutput, S3Client } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ListingError } from '../../src/core/errors.js';
import { compareKeys } from '../../src/core/key-order.js';
import { listS3 } from '../../src/listing/list-s3.js';

/*
 * Parallel listing (a delimiter pass, then one stream per sub-prefix) against an in-memory
 * ListObjectsV2 with S3's semantics (Prefix, Delimiter, MaxKeys, tokens): the same entries in
 * the same order as one stream, a failing sub-stream fails the listing, and no more than
 * `concurrency` sub-streams (plus the delimiter pass) are ever in flight.
 */

interface FakeS3 {
  readonly client: S3Client;
  readonly stats: { inFlight: number; maxInFlight: number; requests: number };
}

function fakeS3(keys: readonly string[], failPrefix?: string, skipMarkerPrefix = false): FakeS3 {
  // S3 keys are never empty (and an empty last key would make an empty continuation token).
  const sorted = [...new Set(keys)].filter((k) => k !== '').sort(compareKeys);
  const stats = { inFlight: 0, maxInFlight: 0, requests: 0 };
  const send = async (command: { input: ListObjectsV2CommandInput }): Promise<ListObjectsV2CommandOutput> => {
    const input = command.input;
    stats.requests++;
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    try {
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (failPrefix !== undefined && input.Prefix === failPrefix) throw Object.assign(new Error('We encountered an internal error.'), { name: 'InternalError', $metadata: { httpStatusCode: 500 } });
      const prefix = input.Prefix ?? '';
      const after = input.ContinuationToken ?? input.StartAfter ?? '';
      const contents: string[] = [];
      const common: string[] = [];
      let last = '';
      let truncated = false;
      for (const key of sorted) {
        if (!key.startsWith(prefix) || (after !== '' && compareKeys(key, after) <= 0)) continue;
        const cut = input.Delimiter === undefined ? -1 : key.indexOf(input.Delimiter, prefix.length);
        const name = cut === -1 ? key : key.slice(0, cut + 1);
        // radosgw leaves out the sub-prefix that holds StartAfter; AWS names it.
        if (cut !== -1 && skipMarkerPrefix && input.StartAfter !== undefined && input.ContinuationToken === undefined && input.StartAfter.startsWith(name)) continue;
        if (cut !== -1 && common.at(-1) === name) {
          last = key;
          continue;
        }
        if (contents.length + common.length === (input.MaxKeys ?? 1000)) {
          truncated = true;
          break;
        }
        if (cut === -1) contents.push(key);
        else common.push(name);
        last = key;
      }
      return {
        $metadata: {},
        Contents: contents.map((Key) => ({ Key, Size: Key.length, ETag: '"e"' })),
        CommonPrefixes: common.map((Prefix) => ({ Prefix })),
        IsTruncated: truncated,
        NextContinuationToken: truncated ? last : undefined,
      };
    } finally {
      stats.inFlight--;
    }
  };
  return { client: { send } as unknown as S3Client, stats };
}

async function keysOf(listing: AsyncIterable<{ key: string }>): Promise<string[]> {
  const keys: string[] = [];
  for await (const entry of listing) keys.push(entry.key);
  return keys;
}

const segment = fc.oneof(fc.constantFrom('a', 'b', 'a-b', 'a0', '', 'é', '😀', '\uffff', 'x y', '+', '%'), fc.string({ maxLength: 3 }), fc.string({ unit: 'grapheme', maxLength: 2 }));
const key = fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('/'));

describe('listS3 with concurrency', () => {
  it('yields the same entries in the same order as one stream, for generated key sets', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(key, { maxLength: 60 }), fc.constantFrom('', 'a', 'a/', 'p/'), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 2, max: 4 }), fc.boolean(), fc.boolean(), async (generated, prefix, pageSize, concurrency, directoryMarkers, skipMarkerPrefix) => {
          const keys = [...generated, ...generated.map((k) => `${prefix}${k}`), prefix, `${prefix}a/`];
          const location = { kind: 's3' as const, bucket: 'b', prefix };
          const sequential = await keysOf(listS3(fakeS3(keys).client, location, { pageSize, directoryMarkers }));
          const parallel = await keysOf(listS3(fakeS3(keys, undefined, skipMarkerPrefix).client, location, { pageSize, directoryMarkers, concurrency }));
          expect(parallel).toEqual(sequential);
          expect([...sequential].sort(compareKeys)).toEqual(sequential);
        }),
      { numRuns: 150, seed: 13 },
    );
  });

  it('fails the listing when one sub-stream fails, after yielding only what came before it', async () => {
    const keys = ['a/1', 'a/2', 'b/1', 'b/2', 'c/1', 'top'];
    const listing = keysOf(listS3(fakeS3(keys, 'b/').client, { kind: 's3', bucket: 'b', prefix: '' }, { concurrency: 4, side: 'source', pageSize: 1 }));
    const error = await listing.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ListingError);
    expect(error).toMatchObject({ side: 'source', retryable: true });
  });

  it('lists a location that fits in one page with one request, as one stream does', async () => {
    const fake = fakeS3(['a/1', 'b/1', 'c']);
    expect(await keysOf(listS3(fake.client, { kind: 's3', bucket: 'b', prefix: '' }, { concurrency: 8 }))).toEqual(['a/1', 'b/1', 'c']);
    expect(fake.stats.requests).toBe(1);
  });

  it('never has more than concurrency sub-streams (plus the delimiter pass) in flight', async () => {
    const keys = Array.from({ length: 40 }, (_, i) => `d${String(i).padStart(2, '0')}/f${i}`);
    const fake = fakeS3(keys);
    const listed = await keysOf(listS3(fake.client, { kind: 's3', bucket: 'b', prefix: '' }, { concurrency: 3, pageSize: 2 }));
    expect(listed).toEqual([...keys].sort(compareKeys));
    expect(fake.stats.maxInFlight).toBeGreaterThan(1);
    expect(fake.stats.maxInFlight).toBeLessThanOrEqual(3 + 1);
  });
});
