import { setMaxListeners } from 'node:events';
import { HeadObjectCommand, type HeadObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { EventEmitter } from 'eventemitter3';
import { checkContent, type CheckSide, type ContentCheckContext, type ObjectFacts } from '../compare/content-check.js';
import { cannotRead } from '../core/cannot-read.js';
import type { CheckDifference, CheckerEvents, CheckSummary, ContentEvidence } from '../core/check.js';
import { PART_SIZE_METADATA, type Entry } from '../core/entry.js';
import { ListingError, S3kitError, TransferError } from '../core/errors.js';
import { stripEtagQuotes } from '../core/etag.js';
import type { SyncWarning } from '../core/events.js';
import { formatLocation, type LocalLocation, type Location, type S3Location } from '../core/location.js';
import { describeS3Error, httpStatus, isRetryableError, s3ErrorCode } from '../core/s3-errors.js';
import { KeyFilter } from '../listing/key-filter.js';
import { assertLocalDirectory } from '../listing/local-directory.js';
import { listS3 } from '../listing/list-s3.js';
import { walkLocal } from '../listing/walk-local.js';
import { mergeJoin, type KeyPair } from '../plan/merge-join.js';
import { DOWNLOAD_TEMP_NAME } from '../transfer/download-object.js';
import { digestFile } from '../transfer/file-digest.js';
import { requestCounter } from '../core/request-counter.js';
import { resolveCheckOptions, type CheckOptions, type ResolvedCheckOptions } from './check-options.js';
import { connect, type Connections } from './connections.js';
import { readPatternFiles } from './create-syncer.js';

/**
 * Options of a single {@link Checker.run} or {@link Checker.differences} call.
 * @public
 */
export interface CheckRunOptions {
  /** Cancels the check: listings and reads stop, and the call rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/**
 * A configured comparison of two locations. Reads both sides, writes nothing. Emits
 * {@link CheckerEvents}.
 * @public
 */
export interface Checker extends EventEmitter<CheckerEvents> {
  /** The parsed first location. */
  readonly path1: Location;
  /** The parsed second location. */
  readonly path2: Location;
  /**
   * Lists both sides and yields each difference in key order as it is found; a `break` stops
   * the listings. Equal keys are not yielded (listen to `equal` for them); warnings are emitted.
   */
  differences(options?: CheckRunOptions): AsyncGenerator<CheckDifference>;
  /**
   * Runs the whole check, emitting `difference`, `equal` and `warning` events, and resolves with
   * the summary (also emitted as `done`). A failed listing rejects with a `ListingError`.
   */
  run(options?: CheckRunOptions): Promise<CheckSummary>;
}

/**
 * Creates a {@link Checker}: a comparison of the contents of two locations (a local directory
 * and S3, or S3 and S3) that reports keys on one side only and keys whose sizes or contents
 * differ, and changes nothing. Contents are compared for real: a local file is read and its
 * MD5 (or multipart ETag) set against the object's ETag; two objects compare ETags, or
 * checksums read with a HEAD. A key nothing can prove equal is reported as `cannot-compare`,
 * never as equal. Memory stays flat: both listings are merged as they stream.
 *
 * Validates every option now and throws a `ConfigError` naming the option at fault; does no I/O
 * until `run()` or `differences()`.
 * @public
 */
export function createChecker(options: CheckOptions): Checker {
  return new LocationChecker(options);
}

type CheckResult = CheckDifference | { readonly type: 'equal'; readonly key: string; readonly evidence: ContentEvidence; readonly path1: Entry; readonly path2: Entry };

/** A read that found nothing to read: the file or object went away (or is denied) since it was listed. */
class Unreadable extends Error {}

class LocationChecker extends EventEmitter<CheckerEvents> implements Checker {
  readonly path1: Location;
  readonly path2: Location;
  readonly #options: ResolvedCheckOptions;
  readonly #clients: Connections;

  constructor(options: CheckOptions) {
    super();
    this.#options = resolveCheckOptions(options);
    this.path1 = this.#options.route.from;
    this.path2 = this.#options.route.to;
    this.#clients = connect(this.#options);
  }

  async *differences(runOptions: CheckRunOptions = {}): AsyncGenerator<CheckDifference> {
    const counts = { bytesRead: 0 };
    for await (const result of this.#results(runOptions.signal, (warning) => this.emit('warning', warning), counts)) {
      if (result.type === 'equal') this.emit('equal', result);
      else yield result;
    }
  }

  async run(runOptions: CheckRunOptions = {}): Promise<CheckSummary> {
    const startedAt = new Date();
    const counters = [...new Set([this.#clients.source, this.#clients.target])].flatMap((client) => (client === undefined ? [] : [requestCounter(client)]));
    const requestsAtStart = counters.reduce((sum, read) => sum + read(), 0);
    const tally = { equal: newTally(), onlyInPath1: newTally(), onlyInPath2: newTally(), differ: newTally(), cannotCompare: newTally() };
    const equalBy: Partial<Record<ContentEvidence, number>> = {};
    const counts = { bytesRead: 0 };
    let warningCount = 0;
    let incompleteListing = false;
    const onWarning = (warning: SyncWarning): void => {
      warningCount++;
      incompleteListing ||= warning.incompleteListing;
      this.emit('warning', warning);
    };
    for await (const result of this.#results(runOptions.signal, onWarning, counts)) {
      switch (result.type) {
        case 'equal':
          add(tally.equal, result.path1.size);
          equalBy[result.evidence] = (equalBy[result.evidence] ?? 0) + 1;
          this.emit('equal', result);
          continue;
        case 'only-in-path1':
          add(tally.onlyInPath1, result.path1.size);
          break;
        case 'only-in-path2':
          add(tally.onlyInPath2, result.path2.size);
          break;
        case 'differs':
          add(tally.differ, result.path1.size);
          break;
        case 'cannot-compare':
          add(tally.cannotCompare, result.path1.size);
          break;
      }
      this.emit('difference', result);
    }
    const found = tally.onlyInPath1.count + tally.onlyInPath2.count + tally.differ.count + tally.cannotCompare.count;
    const summary: CheckSummary = {
      path1: formatLocation(this.path1),
      path2: formatLocation(this.path2),
      identical: found === 0 && !incompleteListing,
      ...tally,
      equalBy,
      warningCount,
      incompleteListing,
      requests: counters.reduce((sum, read) => sum + read(), 0) - requestsAtStart,
      bytesRead: counts.bytesRead,
      startedAt,
      durationMs: Date.now() - startedAt.getTime(),
    };
    this.emit('done', { summary });
    return summary;
  }

  /**
   * Every key of both sides, judged, in key order. Up to `concurrency` keys are judged at once;
   * results wait in a window of that size so they come out in order (memory stays bounded).
   */
  async *#results(outer: AbortSignal | undefined, onWarning: (warning: SyncWarning) => void, counts: { bytesRead: number }): AsyncGenerator<CheckResult> {
    const stop = new AbortController();
    const signal = outer === undefined ? stop.signal : AbortSignal.any([outer, stop.signal]);
    setMaxListeners(0, signal);
    const window: Promise<CheckResult>[] = [];
    try {
      const [left, right] = await this.#listings(signal, onWarning);
      const context = this.#context(signal, counts);
      for await (const pair of mergeJoin(left, right)) {
        const judged = this.#judge(pair, context);
        // Rejections are awaited in order below; until then they must not count as unhandled.
        judged.catch(() => undefined);
        window.push(judged);
        if (window.length >= this.#options.concurrency) yield await this.#next(window, signal);
      }
      while (window.length > 0) yield await this.#next(window, signal);
      // A listing may end without another request after an abort: the check still did not finish.
      signal.throwIfAborted();
    } catch (error) {
      if (outer?.aborted === true) throw outer.reason;
      throw error;
    } finally {
      stop.abort(new S3kitError('check stopped'));
    }
  }

  /** The oldest result of the window; an abort ends the check even when every result is ready. */
  async #next(window: Promise<CheckResult>[], signal: AbortSignal): Promise<CheckResult> {
    const result = await window.shift()!;
    signal.throwIfAborted();
    return result;
  }

  async #judge(pair: KeyPair, context: ContentCheckContext): Promise<CheckResult> {
    if (pair.right === undefined) return { type: 'only-in-path1', key: pair.key, path1: pair.left };
    if (pair.left === undefined) return { type: 'only-in-path2', key: pair.key, path2: pair.right };
    const [path1, path2] = [pair.left, pair.right];
    try {
      const verdict = await checkContent(path1, path2, context);
      switch (verdict.result) {
        case 'equal':
          return { type: 'equal', key: pair.key, evidence: verdict.evidence, path1, path2 };
        case 'differs':
          return verdict.reason === 'size-differs'
            ? { type: 'differs', key: pair.key, reason: 'size-differs', path1, path2 }
            : { type: 'differs', key: pair.key, reason: 'content-differs', evidence: verdict.evidence, path1, path2 };
        case 'cannot-compare':
          return { type: 'cannot-compare', key: pair.key, reason: verdict.reason, message: verdict.message, path1, path2 };
      }
    } catch (error) {
      if (!(error instanceof Unreadable)) throw error;
      return { type: 'cannot-compare', key: pair.key, reason: 'unreadable', message: error.message, path1, path2 };
    }
  }

  /** Both listings, filtered by the same rules, in S3 key order. */
  async #listings(signal: AbortSignal, onWarning: (warning: SyncWarning) => void): Promise<[AsyncIterable<Entry>, AsyncIterable<Entry>]> {
    const { given, route, listPageSize } = this.#options;
    const localSide = route.direction === 'upload' ? route.from : route.direction === 'download' ? route.to : undefined;
    const filter = new KeyFilter({
      ignorePatterns: [...(given.ignorePatterns ?? []), ...(await readPatternFiles(given.ignorePatternFiles ?? []))],
      ignoreFileName: given.ignoreFileName,
      ignoreCase: given.ignoreCase,
      rules: given.rules,
      localRoot: localSide?.path,
      onWarning,
    });
    const local = async (location: LocalLocation, field: 'path1' | 'path2'): Promise<AsyncIterable<Entry>> => {
      await assertLocalDirectory(location, field);
      return withoutTempFiles(walkLocal(location.path, { followSymlinks: given.followSymlinks, filter: filter.isActive ? filter : undefined, onWarning, signal }));
    };
    const s3 = (client: S3Client | undefined, location: S3Location, field: 'path1' | 'path2'): AsyncIterable<Entry> => {
      const side = field === 'path1' ? 'source' : 'target';
      const listed = listS3(defined(client, field), location, { signal, side, pageSize: listPageSize, directoryMarkers: true });
      return filtered(named(withoutEmptyMarkers(listed), side, field), filter);
    };
    const { source, target } = this.#clients;
    switch (route.direction) {
      case 'upload':
        return [await local(route.from, 'path1'), s3(target, route.to, 'path2')];
      case 'download':
        return [s3(source, route.from, 'path1'), await local(route.to, 'path2')];
      case 'copy':
        return [s3(source, route.from, 'path1'), s3(target, route.to, 'path2')];
    }
  }

  #context(signal: AbortSignal, counts: { bytesRead: number }): ContentCheckContext {
    const { route } = this.#options;
    const objects = (side: CheckSide): { client: S3Client; location: S3Location } => {
      const location = side === 'path1' ? route.from : route.to;
      if (location.kind !== 's3') throw new S3kitError(`internal error: ${side} is not in S3.`);
      return { client: defined(side === 'path1' ? this.#clients.source : this.#clients.target, side), location };
    };
    const head = async (entry: Entry, side: CheckSide, partNumber?: number): Promise<HeadObjectCommandOutput> => {
      const { client, location } = objects(side);
      const key = location.prefix + entry.key;
      try {
        return await client.send(new HeadObjectCommand({ Bucket: location.bucket, Key: key, ChecksumMode: 'ENABLED', PartNumber: partNumber }), { abortSignal: signal });
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        if (httpStatus(error) === 404) throw new Unreadable(`s3://${location.bucket}/${key} is gone since it was listed`);
        throw new TransferError('head', entry.key, `Cannot read the metadata of s3://${location.bucket}/${key} (${side}): ${describeS3Error(error, location.bucket)}`, {
          retryable: isRetryableError(error),
          code: s3ErrorCode(error),
          cause: error,
        });
      }
    };
    return {
      head: async (entry, side): Promise<ObjectFacts> => {
        const response = await head(entry, side);
        const partSize = Number(response.Metadata?.[PART_SIZE_METADATA]);
        return {
          etag: stripEtagQuotes(response.ETag),
          recordedPartSize: Number.isInteger(partSize) && partSize > 0 ? partSize : undefined,
          encrypted: (response.ServerSideEncryption ?? '').startsWith('aws:kms') || response.SSECustomerAlgorithm !== undefined,
          checksums: {
            ...(fullObject(response.ChecksumSHA256, response.ChecksumType) === undefined ? {} : { sha256: response.ChecksumSHA256 }),
            ...(fullObject(response.ChecksumSHA1, response.ChecksumType) === undefined ? {} : { sha1: response.ChecksumSHA1 }),
          },
        };
      },
      firstPartSize: async (entry, side) => {
        const response = await head(entry, side, 1);
        // A server that ignores partNumber answers for the whole object, without a part count.
        const length = response.ContentLength;
        if (response.PartsCount === undefined || response.PartsCount < 2 || length === undefined || length <= 0 || length >= entry.size) return undefined;
        return length;
      },
      digest: async (entry, request) => {
        const path = defined(entry.path, 'path');
        try {
          const digest = await digestFile(path, request.partSizes, signal, request.checksums);
          counts.bytesRead += entry.size;
          return digest;
        } catch (error) {
          if (signal.aborted) throw signal.reason;
          if (typeof (error as NodeJS.ErrnoException).code === 'string' && (error as NodeJS.ErrnoException).syscall !== undefined) {
            throw new Unreadable(cannotRead(path, error));
          }
          throw error;
        }
      },
    };
  }
}

function newTally(): { count: number; bytes: number } {
  return { count: 0, bytes: 0 };
}

function add(tally: { count: number; bytes: number }, bytes: number): void {
  tally.count++;
  tally.bytes += bytes;
}

/** A checksum of the whole object, not one of parts (`…-N`, or a COMPOSITE type), which depends on the part layout. */
function fullObject(checksum: string | undefined, type: string | undefined): string | undefined {
  if (checksum === undefined || checksum.includes('-') || type === 'COMPOSITE') return undefined;
  return checksum;
}

/** The listing error of a check names path1 or path2, not a sync's source or target. */
async function* named(entries: AsyncIterable<Entry>, side: 'source' | 'target', field: 'path1' | 'path2'): AsyncGenerator<Entry> {
  try {
    yield* entries;
  } catch (error) {
    if (!(error instanceof ListingError)) throw error;
    throw new ListingError(side, error.message.replace(` (${side}):`, ` (${field}):`), { code: error.code, cause: error.cause, retryable: error.retryable });
  }
}

/** Drops S3 keys the filters exclude. */
async function* filtered(entries: AsyncIterable<Entry>, filter: KeyFilter): AsyncGenerator<Entry> {
  if (!filter.isActive) {
    yield* entries;
    return;
  }
  for await (const entry of entries) if (!(await filter.excludesFile(entry.key))) yield entry;
}

/**
 * Directory markers (empty keys ending in `/`) are directories, not content, and pass; a key
 * ending in `/` that holds bytes is data like any other and is compared, so that a check never
 * calls two locations identical while one of them holds bytes the other lacks.
 */
async function* withoutEmptyMarkers(entries: AsyncIterable<Entry>): AsyncGenerator<Entry> {
  for await (const entry of entries) if (!(entry.key.endsWith('/') && entry.size === 0)) yield entry;
}

/** Leftovers of interrupted downloads are not content: never compared (a sync ignores them too). */
async function* withoutTempFiles(entries: AsyncIterable<Entry>): AsyncGenerator<Entry> {
  for await (const entry of entries) if (!DOWNLOAD_TEMP_NAME.test(entry.key.slice(entry.key.lastIndexOf('/') + 1))) yield entry;
}

/** A value the route guarantees; a missing one is a bug here, not the user's. */
function defined<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new S3kitError(`internal error: no ${what} for this check.`);
  return value;
}
