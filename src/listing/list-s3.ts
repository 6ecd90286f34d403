import { ListObjectsV2Command, type CommonPrefix, type ListObjectsV2CommandInput, type ListObjectsV2CommandOutput, type S3Client, type _Object } from '@aws-sdk/client-s3';
import type { Entry } from '../core/entry.js';
import type { S3Location } from '../core/location.js';
import { ListingError } from '../core/errors.js';
import { stripEtagQuotes } from '../core/etag.js';
import { compareKeys } from '../core/key-order.js';
import { describeS3Error, isRetryableError, s3ErrorCode } from '../core/s3-errors.js';
import { urlDecodedKey } from '../core/url-encoded-key.js';
import { clientLane, listingStreams, TRANSPORTS, type Transport } from '../core/transport.js';
import { leanListPage, routedListCommand, type ListRoute } from './lean-list.js';

/**
 * Options of {@link listS3}.
 * @public
 */
export interface ListS3Options {
  /** Cancels the listing. */
  readonly signal?: AbortSignal;
  /**
   * Keys per ListObjectsV2 page.
   * @defaultValue `1000`
   */
  readonly pageSize?: number;
  /** Which side of the sync this listing is, for error messages. @defaultValue `'target'` */
  readonly side?: 'source' | 'target';
  /**
   * Yield directory markers (keys ending in `/`, e.g. made by consoles for empty folders):
   * wanted when downloading, where they become directories.
   * @defaultValue `false`
   */
  readonly directoryMarkers?: boolean;
  /**
   * ListObjectsV2 streams at once. Above 1, the location is first listed with a `/` delimiter,
   * then each sub-prefix found is listed by its own stream, up to this many at a time, each at
   * most one page ahead, and their entries are yielded in key order: the same entries, in the
   * same order, as one stream gives, sooner where the server's latency dominates, for up to
   * `concurrency × 2` pages in memory. Costs one more request per 1,000 top-level names and at
   * least one per sub-prefix.
   * @defaultValue `4` on the lean lane, `1` on the SDK lane (where per-page CPU, not latency, bounds a listing)
   */
  readonly concurrency?: number;
  /**
   * How the pages after the first are requested. `'sdk'`: every page by the AWS SDK client.
   * `'lean'`: the first page by the SDK, the rest signed by the client's own signer and sent by
   * its own request handler without the SDK's middleware and XML deserializer (about a tenth of
   * the CPU per page); a listing the SDK did not sign with plain SigV4 stays on the SDK.
   * @defaultValue the lane the client was built with (`createS3Client`'s `transport`), else `'sdk'`
   */
  readonly transport?: Transport;
}

/** Sends a listing's ListObjectsV2 requests: by the SDK, or by the lean lane once the SDK has shown the route. */
class PageSender {
  readonly #client: S3Client;
  readonly #side: 'source' | 'target';
  #lean: boolean;
  #route: ListRoute | undefined;

  constructor(client: S3Client, transport: Transport, side: 'source' | 'target') {
    this.#client = client;
    this.#side = side;
    this.#lean = transport === 'lean';
  }

  /** One page, its keys and prefixes decoded (it is asked for URL-encoded). */
  async send(input: ListObjectsV2CommandInput, signal: AbortSignal | undefined): Promise<DecodedPage> {
    // URL-encoded keys, as aws-cli asks for them: the SDK's XML reader turns text that is only
    // white space with a line break (a key "\n") into "", so a raw listing loses such objects.
    const encoded = { ...input, EncodingType: 'url' as const };
    return decodedPage(await this.#sendRaw(encoded, signal), this.#side);
  }

  async #sendRaw(input: ListObjectsV2CommandInput, signal: AbortSignal | undefined): Promise<ListObjectsV2CommandOutput> {
    if (this.#route !== undefined) return leanListPage(this.#client, this.#route, input, signal);
    if (!this.#lean) return this.#client.send(new ListObjectsV2Command(input), { abortSignal: signal });
    const command = routedListCommand(input, (route) => {
      this.#route = route;
      // Not plain SigV4 (or not readable): this listing stays on the SDK.
      if (route === undefined) this.#lean = false;
    });
    return this.#client.send(command, { abortSignal: signal });
  }
}

/** A common prefix of a decoded page, with the form the server sent when that differs. */
type ListedPrefix = CommonPrefix & { readonly Encoded?: string };

/** A ListObjectsV2 page with its keys and common prefixes decoded. */
type DecodedPage = ListObjectsV2CommandOutput & { readonly CommonPrefixes?: ListedPrefix[] };

/**
 * A page with its keys and common prefixes as names, when the server URL-encoded them (it says
 * so in EncodingType; a server that ignores the request answers plain names). A prefix keeps the
 * form the server sent: some servers encode keys but not common prefixes, which no page shows
 * (`a+b/` reads `a b/` either way), so the parallel listing checks a prefix that lists nothing.
 */
function decodedPage(page: ListObjectsV2CommandOutput, side: 'source' | 'target'): DecodedPage {
  if (page.EncodingType !== 'url') return page;
  return {
    ...page,
    Contents: page.Contents?.map((object) => (object.Key === undefined ? object : { ...object, Key: urlDecodedKey(object.Key, side) })),
    CommonPrefixes: page.CommonPrefixes?.map((common): ListedPrefix => {
      if (common.Prefix === undefined) return common;
      const decoded = urlDecodedKey(common.Prefix, side);
      return decoded === common.Prefix ? common : { ...common, Prefix: decoded, Encoded: common.Prefix };
    }),
  };
}

/**
 * Streams the objects under an S3 location as {@link Entry}s with keys relative to the prefix,
 * one page in memory at a time. Directory markers (keys ending in `/`) are yielded only when
 * asked for: they hold no file content.
 * @public
 */
export async function* listS3(client: S3Client, location: S3Location, options: ListS3Options = {}): AsyncGenerator<Entry> {
  const side = options.side ?? 'target';
  const transport = options.transport ?? clientLane(client).transport;
  if (!TRANSPORTS.includes(transport)) throw new TypeError(`Expected \`transport\` to be 'sdk' or 'lean', got \`${String(transport)}\``);
  const concurrency = options.concurrency ?? listingStreams(transport);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new TypeError(`Expected \`concurrency\` to be an integer from 1 and up, got \`${String(concurrency)}\``);
  }
  const sender = new PageSender(client, transport, side);
  const pages = concurrency > 1 ? parallelPages(sender, location, options, concurrency) : objectPages(sender, location, options);
  // The merge of parallel streams is checked as it goes: one stream is the server's own order
  // (checked where listings are merged), several are ours.
  let previous: string | undefined;
  try {
    for await (const page of pages) {
      for (const object of page.Contents ?? []) {
        const fullKey = object.Key;
        if (fullKey === undefined) continue;
        if (concurrency > 1 && previous !== undefined && compareKeys(previous, fullKey) >= 0) {
          throw inconsistentListing(location, options, `${JSON.stringify(fullKey)} came after ${JSON.stringify(previous)}`);
        }
        previous = fullKey;
        if (fullKey === location.prefix) continue;
        if (fullKey.endsWith('/') && options.directoryMarkers !== true) continue;
        const entry: Entry = {
          key: fullKey.slice(location.prefix.length),
          size: object.Size ?? 0,
          mtimeMs: object.LastModified?.getTime() ?? 0,
          etag: stripEtagQuotes(object.ETag),
          storageClass: object.StorageClass,
        };
        yield entry;
      }
    }
  } catch (error) {
    if (error instanceof ListingError) throw error;
    if (options.signal?.aborted) throw options.signal.reason;
    const code = s3ErrorCode(error);
    throw new ListingError(
      side,
      `Cannot list s3://${location.bucket}/${location.prefix} (${side}): ${describeS3Error(error, location.bucket)}`,
      { code, cause: error, retryable: isRetryableError(error) },
    );
  }
}

/** A direct object of the delimiter pass, or a sub-prefix whose own listing stands in its place. */
type TopItem = { readonly key: string; readonly object: _Object } | { readonly key: string; readonly prefix: string; readonly encoded?: string };

/**
 * The pages of a location as several streams: a `/` delimiter pass gives the objects directly
 * under the prefix and the sub-prefixes; every key under a sub-prefix P sorts after P and
 * before any name after P, so listing each P on its own and emitting it where P falls among
 * the direct objects keeps S3 key order. Up to `concurrency` sub-prefix listings run ahead of
 * the consumer, each at most one page ahead; a failure of any is the listing's failure, at once:
 * the others are aborted, as they are when the consumer stops early, so no request in flight
 * (to a server that may never answer) holds the end up.
 */
async function* parallelPages(client: PageSender, location: S3Location, options: ListS3Options, concurrency: number): AsyncGenerator<ListObjectsV2CommandOutput> {
  // A plain first page: a listing that fits in it costs one request, as without concurrency;
  // the streams list only what comes after its last key.
  const firstPages = objectPages(client, location, options);
  const first = await firstPages.next();
  await firstPages.return(undefined);
  if (first.done === true) return;
  yield first.value;
  if (first.value.IsTruncated !== true) return;
  const after = first.value.Contents?.at(-1)?.Key;
  if ((first.value.NextContinuationToken ?? '') === '' || after === undefined) throw truncatedWithoutToken(location, options);
  const startAfter = (prefix: string): string | undefined => (after.startsWith(prefix) ? after : undefined);
  const stop = new AbortController();
  let failure: { readonly error: unknown } | undefined;
  const onFailure = (error: unknown): void => {
    failure ??= { error };
    stop.abort(error);
  };
  const streams: ListS3Options = { ...options, signal: AbortSignal.any([stop.signal, ...(options.signal ? [options.signal] : [])]) };
  const subListing = (item: { readonly prefix: string; readonly encoded?: string }, from: string | undefined): AsyncIterator<ListObjectsV2CommandOutput> =>
    prefetched(subPrefixPages(client, location, streams, item, from), onFailure);
  // The sub-prefix holding that key is listed from just after it; the delimiter pass from the
  // same key may leave it out (radosgw does) or name it again (AWS does), so it is put first
  // here and dropped from the pass: every other name there sorts after all of its keys.
  const rest = after.slice(location.prefix.length);
  const cut = rest.indexOf('/');
  const current = cut === -1 ? undefined : location.prefix + rest.slice(0, cut + 1);
  const top = topItems(client, location, streams, after, current)[Symbol.asyncIterator]();
  // Items of the delimiter pass read ahead of the consumer, with the listings already started.
  const window: { readonly item: TopItem; readonly pages?: AsyncIterator<ListObjectsV2CommandOutput> }[] = [];
  let topDone = false;
  let running = 0;
  if (current !== undefined) {
    running++;
    window.push({ item: { key: current, prefix: current }, pages: subListing({ prefix: current }, after) });
  }
  const fill = async (): Promise<void> => {
    // Read ahead until `concurrency` sub-listings run, bounded by two pages of direct objects.
    while (!topDone && running < concurrency && window.length < 2 * (options.pageSize ?? 1000)) {
      const next = await top.next();
      if (next.done === true) {
        topDone = true;
        break;
      }
      const item = next.value;
      if ('prefix' in item) {
        running++;
        window.push({ item, pages: subListing(item, startAfter(item.prefix)) });
      } else {
        window.push({ item });
      }
    }
  };
  let reading: AsyncIterator<ListObjectsV2CommandOutput> | undefined;
  try {
    for (await fill(); window.length > 0; await fill()) {
      const { item, pages } = window.shift()!;
      if (pages === undefined) {
        if ('object' in item) yield { Contents: [item.object], $metadata: {} };
        continue;
      }
      reading = pages;
      for (let page = await pages.next(); page.done !== true; page = await pages.next()) yield page.value;
      reading = undefined;
      running--;
    }
  } catch (error) {
    // A stream aborted because another failed reports that failure, not its abort.
    throw failure === undefined ? error : failure.error;
  } finally {
    stop.abort(new Error('listing ended'));
    for (const pages of [reading, ...window.map((entry) => entry.pages)]) await pages?.return?.(undefined).catch(() => undefined);
    await top.return?.(undefined);
  }
}

/**
 * The pages of one sub-prefix. A sub-prefix the delimiter pass named holds keys, unless they
 * were deleted since; when it lists nothing and the server sent it in another form, that form is
 * asked for one key: finding one means the server did not encode its common prefixes as it said,
 * and this listing would miss keys (and a sync would delete their copies), so it fails instead.
 */
async function* subPrefixPages(client: PageSender, location: S3Location, options: ListS3Options, item: { readonly prefix: string; readonly encoded?: string }, startAfter: string | undefined): AsyncGenerator<ListObjectsV2CommandOutput> {
  let listed = false;
  for await (const page of objectPages(client, { ...location, prefix: item.prefix }, options, undefined, startAfter)) {
    listed ||= (page.Contents?.length ?? 0) > 0;
    yield page;
  }
  if (!listed && item.encoded !== undefined) await refuseIfListed(client, location, options, item.encoded);
}

/** Fails the listing when a sub-prefix in the form the server sent it holds keys: it was sent plain, not URL-encoded as the server said. */
async function refuseIfListed(client: PageSender, location: S3Location, options: ListS3Options, encoded: string): Promise<void> {
  const probe = await client.send({ Bucket: location.bucket, Prefix: encoded, MaxKeys: 1 }, options.signal);
  if ((probe.Contents?.length ?? 0) > 0) throw inconsistentListing(location, options, `it named the sub-prefix ${JSON.stringify(encoded)} without URL-encoding it, though it said it did`);
}

/**
 * The delimiter pass from `after` (the first page's last key), without `current` (the sub-prefix
 * holding `after`, listed on its own): direct objects and sub-prefixes, merged in key order page
 * by page. Every name must sort after `after`, once, in order: a name that repeats or comes
 * before it (two plain prefixes read as one name) would have a sub-prefix listed twice and
 * another never. A name that reads as `current` but was sent in another form may be `current`
 * again (AWS names it) or a plain prefix of a server that does not encode them (`a+b/` reads
 * `a b/`): the form it was sent in is asked for one key, and finding one fails the listing.
 */
async function* topItems(client: PageSender, location: S3Location, options: ListS3Options, after: string, current: string | undefined): AsyncGenerator<TopItem> {
  let previous = after;
  for await (const page of objectPages(client, location, options, '/', after)) {
    const items: TopItem[] = [];
    for (const object of page.Contents ?? []) if (object.Key !== undefined) items.push({ key: object.Key, object });
    for (const common of page.CommonPrefixes ?? []) {
      if (common.Prefix === undefined) continue;
      if (!common.Prefix.startsWith(location.prefix) || !common.Prefix.endsWith('/')) {
        throw inconsistentListing(location, options, `it named ${JSON.stringify(common.Prefix)} as a sub-prefix of a '/' delimiter listing`);
      }
      if (common.Prefix === current) {
        if (common.Encoded !== undefined) await refuseIfListed(client, location, options, common.Encoded);
        current = undefined; // once: a second such name is a repeat
        continue;
      }
      items.push({ key: common.Prefix, prefix: common.Prefix, ...(common.Encoded === undefined ? {} : { encoded: common.Encoded }) });
    }
    items.sort((a, b) => compareKeys(a.key, b.key));
    for (const item of items) {
      if (compareKeys(previous, item.key) >= 0) throw inconsistentListing(location, options, `it named ${JSON.stringify(item.key)} twice or out of order`);
      previous = item.key;
      yield item;
    }
  }
}

/**
 * Keeps one `next()` of `source` in flight beyond the one awaited, so a stream fetches its
 * next page while the consumer reads another stream. A rejection is held until awaited, and
 * told to `onFailure` when it happens.
 */
function prefetched<T>(source: AsyncIterator<T>, onFailure: (error: unknown) => void): AsyncIterator<T> {
  const ahead = (): Promise<IteratorResult<T>> => hold(source.next(), onFailure);
  let pending: Promise<IteratorResult<T>> | undefined = ahead();
  return {
    next: async () => {
      const current = pending ?? source.next();
      const result = await current;
      pending = result.done === true ? undefined : ahead();
      return result;
    },
    return: async () => {
      // Settles the page in flight before the generator can be closed (a running generator
      // cannot return); its abort signal has already cut the request short.
      await pending?.catch(() => undefined);
      pending = undefined;
      return (await source.return?.(undefined)) ?? { done: true, value: undefined };
    },
  };
}

/** Marks a promise as handled (it is awaited later, or dropped when the listing ends early). */
function hold<T>(promise: Promise<T>, onFailure: (error: unknown) => void): Promise<T> {
  promise.catch(onFailure);
  return promise;
}

/**
 * The ListObjectsV2 pages under a location. Not the SDK's paginator: it refuses a client that
 * is not an instance of its own S3Client class, as one from another installed copy of the SDK
 * (an application's own version) is; `send` serves any.
 */
async function* objectPages(client: PageSender, location: S3Location, options: ListS3Options, delimiter?: string, startAfter?: string): AsyncGenerator<DecodedPage> {
  let token: string | undefined;
  do {
    const page = await client.send(
      {
        Bucket: location.bucket,
        Prefix: location.prefix === '' ? undefined : location.prefix,
        MaxKeys: options.pageSize ?? 1000,
        ContinuationToken: token,
        ...(delimiter === undefined ? {} : { Delimiter: delimiter }),
        ...(startAfter === undefined || token !== undefined ? {} : { StartAfter: startAfter }),
      },
      options.signal,
    );
    yield page;
    // A page that says the listing goes on but gives no continuation token (some S3-compatible
    // servers and proxies do this) would end the listing early: it would look complete and
    // drive deletes. It is a failed listing instead.
    if (page.IsTruncated === true && (page.NextContinuationToken ?? '') === '') throw truncatedWithoutToken(location, options);
    const next = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    // The same token again would list the same page for ever: a broken server, not a listing.
    if (next !== undefined && next === token) {
      throw new ListingError(options.side ?? 'target', `Cannot list s3://${location.bucket}/${location.prefix}: the server answered the same continuation token twice, so the listing would never end; nothing was deleted.`, {
        code: 'RepeatedContinuationToken',
      });
    }
    token = next;
  } while (token !== undefined && token !== '');
}

function inconsistentListing(location: S3Location, options: ListS3Options, what: string): ListingError {
  const side = options.side ?? 'target';
  return new ListingError(
    side,
    `Cannot list s3://${location.bucket}/${location.prefix} (${side}) in parallel streams: the server's answer is inconsistent (${what}), so keys could be missed; nothing was deleted. List with one stream: \`transport: 'sdk'\` (--transport sdk), or listS3's \`concurrency: 1\`.`,
    { code: 'InconsistentListing' },
  );
}

function truncatedWithoutToken(location: S3Location, options: ListS3Options): ListingError {
  const side = options.side ?? 'target';
  return new ListingError(
    side,
    `Cannot list s3://${location.bucket}/${location.prefix} (${side}): the server said the listing goes on (IsTruncated) but gave no continuation token, so the rest cannot be read; nothing was deleted.`,
    { code: 'TruncatedListing' },
  );
}
