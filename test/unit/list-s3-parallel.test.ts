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

/**
 * How the fake answers `encoding-type=url`: `'none'` ignores it (plain names), `'url'` encodes
 * keys and common prefixes (AWS, radosgw), `'keys-only'` encodes keys but sends common prefixes
 * plain, as some S3-compatible servers have.
 */
type Encoding = 'none' | 'url' | 'keys-only';

interface FakeOptions {
  readonly failPrefix?: string;
  readonly skipMarkerPrefix?: boolean;
  readonly encoding?: Encoding;
  /** Requests for this prefix never answer; they end only when aborted. */
  readonly hangPrefix?: string;
  /** The delimiter pass names this sub-prefix, but its keys are gone when it is listed (deleted meanwhile). */
  readonly vanishedPrefix?: string;
  /** Listings without a delimiter ignore StartAfter (a server that does not support it). */
  readonly ignoreStartAfter?: boolean;
}

const urlEncoded = (name: string): string => encodeURIComponent(name).replaceAll('%20', '+');

function fakeS3(keys: readonly string[], fakeOptions: FakeOptions = {}): FakeS3 {
  const { failPrefix, skipMarkerPrefix = false, encoding = 'none', hangPrefix, vanishedPrefix, ignoreStartAfter = false } = fakeOptions;
  // S3 keys are never empty (and an empty last key would make an empty continuation token).
  const sorted = [...new Set(keys)].filter((k) => k !== '').sort(compareKeys);
  const stats = { inFlight: 0, maxInFlight: 0, requests: 0 };
  const send = async (command: { input: ListObjectsV2CommandInput }, sendOptions?: { abortSignal?: AbortSignal }): Promise<ListObjectsV2CommandOutput> => {
    const input = command.input;
    stats.requests++;
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    try {
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (hangPrefix !== undefined && input.Prefix === hangPrefix) {
        await new Promise((_resolve, reject) => {
          const aborted = (): void => reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
          if (sendOptions?.abortSignal?.aborted === true) aborted();
          sendOptions?.abortSignal?.addEventListener('abort', aborted, { once: true });
        });
      }
      if (failPrefix !== undefined && input.Prefix === failPrefix) throw Object.assign(new Error('We encountered an internal error.'), { name: 'InternalError', $metadata: { httpStatusCode: 500 } });
      const prefix = input.Prefix ?? '';
      const after = input.ContinuationToken ?? (ignoreStartAfter && input.Delimiter === undefined ? undefined : input.StartAfter) ?? '';
      const contents: string[] = [];
      const common: string[] = [];
      let last = '';
      let truncated = false;
      for (const key of sorted) {
        if (!key.startsWith(prefix) || (after !== '' && compareKeys(key, after) <= 0)) continue;
        if (vanishedPrefix !== undefined && input.Delimiter === undefined && key.startsWith(vanishedPrefix)) continue;
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
      const keyName = encoding === 'none' ? (name: string) => name : urlEncoded;
      const prefixName = encoding === 'url' ? urlEncoded : (name: string) => name;
      return {
        $metadata: {},
        ...(encoding === 'none' ? {} : { EncodingType: 'url' as const }),
        Contents: contents.map((Key) => ({ Key: keyName(Key), Size: Key.length, ETag: '"e"' })),
        CommonPrefixes: common.map((Prefix) => ({ Prefix: prefixName(Prefix) })),
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
      fc.asyncProperty(fc.array(key, { maxLength: 60 }), fc.constantFrom('', 'a', 'a/', 'p/'), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 2, max: 4 }), fc.boolean(), fc.boolean(), fc.constantFrom<Encoding>('none', 'url'), async (generated, prefix, pageSize, concurrency, directoryMarkers, skipMarkerPrefix, encoding) => {
          const keys = [...generated, ...generated.map((k) => `${prefix}${k}`), prefix, `${prefix}a/`];
          const location = { kind: 's3' as const, bucket: 'b', prefix };
          const sequential = await keysOf(listS3(fakeS3(keys).client, location, { pageSize, directoryMarkers }));
          const parallel = await keysOf(listS3(fakeS3(keys, { skipMarkerPrefix, encoding }).client, location, { pageSize, directoryMarkers, concurrency }));
          expect(parallel).toEqual(sequential);
          expect([...sequential].sort(compareKeys)).toEqual(sequential);
        }),
      { numRuns: 150, seed: 13 },
    );
  });

  it('fails the listing when one sub-stream fails, after yielding only what came before it', async () => {
    const keys = ['a/1', 'a/2', 'b/1', 'b/2', 'c/1', 'top'];
    const listing = keysOf(listS3(fakeS3(keys, { failPrefix: 'b/' }).client, { kind: 's3', bucket: 'b', prefix: '' }, { concurrency: 4, side: 'source', pageSize: 1 }));
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

  it('never completes with keys missing when a server encodes keys but not common prefixes', async () => {
    // Decoded, the plain prefix 'a+b/' reads 'a b/', which lists nothing: a listing that ended
    // there would look complete without the keys under 'a+b/', and a sync would delete them.
    const keys = ['0', 'a+b/0', 'a+b/1', 'a+b/2', 'c/0', 'c/1', 'd'];
    const listing = keysOf(listS3(fakeS3(keys, { encoding: 'keys-only' }).client, { kind: 's3', bucket: 'b', prefix: '' }, { concurrency: 4, pageSize: 1 }));
    const outcome = await listing.catch((caught: unknown) => caught);
    expect(outcome).toBeInstanceOf(ListingError);
    expect(outcome).toMatchObject({ code: 'InconsistentListing' });
    expect((outcome as Error).message).toMatch(/transport/);
  });

  it('never completes with keys missing when two plain common prefixes decode to one name', async () => {
    const keys = ['0', 'a b/y', 'a+b/x', 'c/0', 'd'];
    const outcome = await keysOf(listS3(fakeS3(keys, { encoding: 'keys-only' }).client, { kind: 's3', bucket: 'b', prefix: '' }, { concurrency: 4, pageSize: 1 })).catch((caught: unknown) => caught);
    expect(outcome).toBeInstanceOf(ListingError);
    expect(outcome).toMatchObject({ code: 'InconsistentListing' });
  });

  it('lists keys with spaces, plus signs and percent signs in their prefixes when the server encodes them all', async () => {
    const keys = ['0', 'a b/y', 'a+b/x', 'a%2Bb/z', '100%/1', 'c/0', 'd'];
    const listed = await keysOf(listS3(fakeS3(keys, { encoding: 'url' }).client, { kind: 's3', bucket: 'b', prefix: '' }, { concurrency: 4, pageSize: 1 }));
    expect(listed).toEqual([...keys].sort(compareKeys));
  });

  it('ends promptly when the consumer stops early while a sub-stream waits on a server that never answers', async () => {
    const keys = ['0', 'a/1', 'a/2', 'b/1', 'c/1'];
    const listing = listS3(fakeS3(keys, { hangPrefix: 'b/' }).client, { kind: 's3', bucket: 'b', prefix: '' }, { concurrency: 4, pageSize: 1 });
    expect((await listing.next()).value).toMatchObject({ key: '0' });
    expect((await listing.next()).value).toMatchObject({ key: 'a/1' });
    const ended = await Promise.race([listing.return(undefined).then(() => 'ended'), new Promise((resolve) => setTimeout(resolve, 2000, 'still waiting'))]);
    expect(ended).toBe('ended');
  });

  it('fails promptly when one sub-stream fails while another waits on a server that never answers', async () => {
    const keys = ['0', 'a/1', 'b/1', 'c/1'];
    const listing = keysOf(listS3(fakeS3(keys, { failPrefix: 'c/', hangPrefix: 'b/' }).client, { kind: 's3', bucket: 'b', prefix: '' }, { concurrency: 4, pageSize: 1 })).catch((caught: unknown) => caught);
    const outcome = await Promise.race([listing, new Promise((resolve) => setTimeout(resolve, 2000, 'still waiting'))]);
    expect(outcome).toBeInstanceOf(ListingError);
  });

  it('lists a sub-prefix whose keys were deleted since the delimiter pass as empty, without failing', async () => {
    const keys = ['0', 'a b/1', 'a b/2', 'c/0', 'd'];
    const fake = fakeS3(keys, { encoding: 'url', vanishedPrefix: 'a b/' });
    const listed = await keysOf(listS3(fake.client, { kind: 's3', bucket: 'b', prefix: '' }, { concurrency: 4, pageSize: 1 }));
    expect(listed).toEqual(['0', 'c/0', 'd']);
  });

  it.each([
    [['a', 'a b/a', 'a+b/a'], 2, false],
    [['a b/1', 'a b/2', 'a+b/1', 'a+b/2', 'z'], 1, true],
    [['a b/1', 'a b/2', 'a+b/1', 'a+b/2', 'z'], 1, false],
    [['a b/a', 'a%2Bb', 'a+b/a'], 2, false],
    [['a b/a', 'a%2Bb', 'a+b/a'], 2, true],
  ])('never completes with keys missing when a plain prefix reads as the one being listed or as a name before it (%j, page %i, radosgw: %s)', async (keys, pageSize, skipMarkerPrefix) => {
    const outcome = await keysOf(listS3(fakeS3(keys, { encoding: 'keys-only', skipMarkerPrefix }).client, { kind: 's3', bucket: 'b', prefix: '' }, { concurrency: 2, pageSize })).catch((caught: unknown) => caught);
    expect(outcome).toBeInstanceOf(ListingError);
    expect(outcome).toMatchObject({ code: 'InconsistentListing' });
  });

  it('lists every key or fails, never fewer, more or out of order, when a server encodes keys but not common prefixes (generated)', async () => {
    const special = fc.constantFrom('a', 'b', 'a b', 'a+b', 'a%2Bb', '%41', 'A', 'x%20y', 'x y', '+', ' ', '%');
    const oddKey = fc.array(special, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('/'));
    await fc.assert(
      fc.asyncProperty(fc.array(oddKey, { maxLength: 30 }), fc.constantFrom('', 'a', 'a/', 'a b/'), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 2, max: 4 }), fc.boolean(), async (generated, prefix, pageSize, concurrency, skipMarkerPrefix) => {
        const keys = [...generated, ...generated.map((k) => `${prefix}${k}`)];
        const location = { kind: 's3' as const, bucket: 'b', prefix };
        const want = await keysOf(listS3(fakeS3(keys, { encoding: 'keys-only' }).client, location, { pageSize }));
        const outcome = await keysOf(listS3(fakeS3(keys, { encoding: 'keys-only', skipMarkerPrefix }).client, location, { pageSize, concurrency })).catch((caught: unknown) => caught);
        if (outcome instanceof ListingError) return;
        expect(outcome).toEqual(want);
      }),
      { numRuns: 400, seed: 31 },
    );
  });

  it('fails instead of yielding a key twice when a server ignores StartAfter for a sub-prefix', async () => {
    const outcome = await keysOf(listS3(fakeS3(['a/1', 'a/2', 'a/3', 'b'], { ignoreStartAfter: true }).client, { kind: 's3', bucket: 'b', prefix: '' }, { concurrency: 2, pageSize: 2 })).catch((caught: unknown) => caught);
    expect(outcome).toBeInstanceOf(ListingError);
    expect(outcome).toMatchObject({ code: 'InconsistentListing' });
    expect((outcome as Error).message).toContain('"a/1" came after "a/2"');
  });
});
