import type { S3Client } from '@aws-sdk/client-s3';
import type { Comparator } from '../compare/comparator.js';
import type { COMPARE_MODES } from '../core/compare-mode.js';
import type { Shard } from '../core/shard.js';
import type { Action } from '../core/action.js';
import type { StateStore } from '../state/state-store.js';
import type { Location } from '../core/location.js';
import type { FilterOptions } from '../listing/key-filter.js';
import type { S3ConnectionOptions } from '../transfer/s3-client.js';
import type { MultipartOptions, UploadOptions } from '../transfer/upload-options.js';
import type { MaxDelete } from './max-delete.js';
import type { StorageClassRule } from './storage-class-rules.js';
import type { SseCustomerKey } from '../transfer/sse-customer.js';

/**
 * How a sync decides that a key needs no transfer.
 * - `size-mtime`: sizes equal and the source not newer than the target (aws-cli's rule), using
 *   the stored source mtime where it has to look closer.
 * - `size-only`: sizes equal.
 * - `exact-timestamps`: sizes equal and the times equal.
 * - `checksum`: content equal (MD5 or multipart ETag).
 * @public
 */
export type CompareMode = (typeof COMPARE_MODES)[number];

/**
 * Options of {@link createSyncer}.
 * @public
 */
export interface SyncOptions extends FilterOptions, S3ConnectionOptions, MultipartOptions {
  /** Where to read: a local directory or `s3://bucket/prefix`. */
  readonly source: string | Location;
  /** Where to write: `s3://bucket/prefix`, or a local directory. */
  readonly target: string | Location;
  /**
   * Delete target keys the source lacks (after all transfers, and only if none failed).
   * @defaultValue `false`
   */
  readonly delete?: boolean;
  /**
   * With `delete`, also delete target keys the filters exclude.
   * @defaultValue `false`
   */
  readonly deleteExcluded?: boolean;
  /**
   * Refuse the delete phase when it would delete more than this many keys, or more than this
   * percentage of the target's keys (`'10%'`).
   * @defaultValue no limit
   */
  readonly maxDelete?: MaxDelete;
  /**
   * Plan and report, but transfer and delete nothing.
   * @defaultValue `false`
   */
  readonly dryRun?: boolean;
  /**
   * How keys present on both sides are compared, or a custom {@link Comparator}.
   * @defaultValue `'size-mtime'`
   */
  readonly compare?: CompareMode | Comparator;
  /**
   * Times closer than this count as equal (size-mtime and exact-timestamps).
   * @defaultValue `0`
   */
  readonly mtimeWindowMs?: number;
  /**
   * Take only source files modified at or after this time (DateRange jobs). Cannot be combined
   * with `delete`: the keys outside the window would be deleted.
   * @defaultValue no lower bound
   */
  readonly modifiedAfter?: Date;
  /**
   * Take only source files modified at or before this time.
   * @defaultValue no upper bound
   */
  readonly modifiedBefore?: Date;
  /**
   * Follow symbolic links in a local source.
   * @defaultValue `true`
   */
  readonly followSymlinks?: boolean;
  /**
   * Files in gitignore syntax whose patterns are added to `ignorePatterns` (read at the start
   * of each run), like `--exclude-from`.
   * @defaultValue `[]`
   */
  readonly ignorePatternFiles?: readonly string[];
  /**
   * Transfers in flight at once.
   * @defaultValue `16`
   */
  readonly concurrency?: number;
  /**
   * Keys per ListObjectsV2 page.
   * @defaultValue `1000`
   */
  readonly listPageSize?: number;
  /**
   * Retries of a transfer after a retryable failure.
   * @defaultValue `3`
   */
  readonly retries?: number;
  /**
   * The most bytes per second that all transfers of a run move together (one token bucket
   * shared by uploads, downloads and streamed copies; its burst is a tenth of a second's worth).
   * Server-side copies move no bytes through this process and are not limited. A PUT or a part
   * is paid for before it is sent, and a GET body is read no faster than the limit. A low limit
   * shared by many transfers can leave a connection idle longer than `timeoutMs`: lower
   * `concurrency` with it.
   * @defaultValue no limit
   */
  readonly bandwidthLimit?: number;
  /** How uploaded objects are stored. */
  readonly upload?: UploadOptions;
  /**
   * S3 targets: the storage class of each object written, by key pattern, size and age. The
   * first rule that matches a source entry chooses; an entry no rule matches is written in
   * `upload.storageClass` (or, without one, the bucket's default; S3 → S3 copies keep the
   * source's class). Each copy and update carries the chosen class and rule index
   * (`storageClass`, `storageClassRule`) in events and plans. A rule that may put objects under
   * 128 KiB in STANDARD_IA, ONEZONE_IA or GLACIER_IR (billed as 128 KiB each) is refused unless
   * it has `force: true`; a rule writing GLACIER or DEEP_ARCHIVE gives a `warning` at the start
   * of each plan and run (such objects need a restore before a download).
   * @defaultValue `[]`
   */
  readonly storageClassRules?: readonly StorageClassRule[];
  /**
   * SSE-C (as aws-cli's `--sse-c`): the key of the objects on the S3 side. Uploads and S3 → S3
   * copies encrypt what they write with it; downloads decrypt with it; every HEAD sends it. S3
   * keeps no copy: an object written with a key is unreadable without it. AWS takes SSE-C only
   * over HTTPS. The key is never logged and never written to a plan or state file. An SSE-C
   * object's ETag is not an MD5 of its content, so `compare: 'checksum'` is refused with it, and
   * downloads check sizes, not ETags.
   * @defaultValue none
   */
  readonly sseCustomerKey?: SseCustomerKey;
  /**
   * S3 → S3 with SSE-C source objects (aws-cli's `--sse-c-copy-source`): the key they were
   * encrypted with. Give `sseCustomerKey` too to encrypt the copies (with the same or another
   * key); without it the copies are written without SSE-C.
   * @defaultValue none
   */
  readonly copySourceSseCustomerKey?: SseCustomerKey;
  /**
   * S3 → S3 and S3 → local: a client for the source bucket when it lives on another service,
   * account or region than the target. Copies between different clients stream through this
   * process; without it the target's connection reads the source too, and copies run
   * server-side.
   * @defaultValue the target's client
   */
  readonly sourceClient?: S3Client;
  /**
   * Like `sourceClient`, as connection options (endpoint, region, profile, credentials). Only a
   * different region keeps copies server-side (S3 copies across regions); a different endpoint,
   * profile or credentials makes them stream.
   * @defaultValue the target's connection
   */
  readonly sourceConnection?: Omit<S3ConnectionOptions, 'client'>;
  /**
   * Where multipart uploads record their progress. With it, an upload interrupted by a crash,
   * a kill or an abort is resumed by the next run for the same file and key (only missing parts
   * are sent); without it, an interrupted upload is aborted on the server.
   * @defaultValue none
   */
  readonly state?: StateStore;
  /**
   * With `state`: keep interrupted multipart uploads to resume (true), or abort them (false).
   * @defaultValue `true`
   */
  readonly resume?: boolean;
  /**
   * S3 → S3: objects of at least this size are copied in parallel parts (UploadPartCopy).
   * @defaultValue `5 GiB` (the CopyObject limit)
   */
  readonly multipartCopyThreshold?: number;
  /**
   * S3 → S3: `COPY` keeps the source's metadata, Content-Type and tags; `REPLACE` takes them
   * from `upload`.
   * @defaultValue `'COPY'`
   */
  readonly metadataDirective?: 'COPY' | 'REPLACE';
  /**
   * Keep what the run overwrites or deletes in the target, first, under this location with the
   * same relative key: an `s3://bucket/prefix` for S3 targets (server-side copies, made with the
   * target's connection, of the exact version listed) or a directory for local targets (an
   * overwritten file is hard-linked there, a deleted one moved; copied across file systems).
   * `{date}` (YYYY-MM-DD) and `{time}` (HHMMSS), in UTC at the start of each run, make one
   * location per day or run; within one location a later backup of a key replaces an earlier
   * one. When a backup fails, the overwrite or delete is not made (a failure of the run). The
   * location must not overlap the target or an S3 source (inside the target only when the
   * filters exclude it, as with rclone's `--backup-dir`). Dry runs back nothing up.
   * @defaultValue none
   */
  readonly backup?: string;
  /**
   * Add this to the name of each entry kept (`a.txt` → `a.txt.2026-11-22` with `'.{date}'`),
   * under `backup` — or, without `backup`, beside the original in the target itself (as
   * rclone's `--suffix`). Placeholders as in `backup`. Without `backup`, keys that end the way
   * the suffix renders (`*.2026-11-22` for `'.{date}'`) are left out of the run on both sides,
   * so it never syncs or deletes its own backups.
   * @defaultValue none
   */
  readonly backupSuffix?: string;
  /**
   * Do only this part of the run: N processes given `{ index: 0 … N-1, count: N }` together do
   * exactly one run's work — each key (relative to the prefixes) belongs to exactly one part, by
   * a hash of the key ({@link shardOfKey}), so no key is copied twice and none is missed; deletes
   * stay within the process's own part, and the delete limits count that part only. Each
   * process lists both sides in full. See {@link parseShard} for `i/n` and `auto`.
   * @defaultValue the whole run
   */
  readonly shard?: Shard;
}

/**
 * Options of one {@link Syncer.plan} call.
 * @public
 */
export interface PlanOptions {
  /** Cancels the call: the listings stop and the generator rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/**
 * Options of one {@link Syncer.run} call.
 * @public
 */
export interface RunOptions {
  /** Cancels the call: queuing stops; a multipart upload in flight is recorded for resume (with `state` and `resume`) or aborted, never left behind. */
  readonly signal?: AbortSignal;
  /**
   * Plan in full before the first transfer, so `planComplete` (with final totals) comes before
   * any `transferStart`; pending transfers past 10,000 spill to a temporary file. Without it,
   * transfers start while listing goes on and the planner waits for the queue.
   * With `expectedPlan` the run always plans first, whatever this says.
   * @defaultValue `false` (always `true` when `expectedPlan` is given)
   */
  readonly planFirst?: boolean;
  /**
   * Actions of a saved plan (`readPlanLines`). The run re-lists both sides and executes only if
   * the fresh plan equals this one — same actions, keys, sizes, mtimes and ETags — and otherwise
   * rejects with a `PlanMismatchError` before transferring anything.
   */
  readonly expectedPlan?: AsyncIterable<Action>;
}
