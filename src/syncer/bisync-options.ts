import type { BisyncConflict, ConflictChoice, ConflictPolicy } from '../core/bisync.js';
import type { Location } from '../core/location.js';
import type { MaxDelete } from '../core/max-delete.js';
import type { FilterOptions } from '../listing/key-filter.js';
import type { S3ConnectionOptions } from '../transfer/s3-client.js';
import type { MultipartOptions } from '../transfer/upload-options.js';
import type { SyncOptions } from './options.js';
import type { PairLock } from './pair-lock.js';

/**
 * Options of {@link createBisyncer}.
 * @public
 */
export interface BisyncOptions
  extends Omit<FilterOptions, 'ignoreFileName'>,
    S3ConnectionOptions,
    MultipartOptions,
    // The transfer settings mean what they mean for a one-way sync (documented there).
    Pick<SyncOptions, 'ignorePatternFiles' | 'concurrency' | 'listPageSize' | 'retries' | 'bandwidthLimit' | 'upload'> {
  /** One side: a local directory or `s3://bucket/prefix`. */
  readonly path1: string | Location;
  /** The other side: `s3://bucket/prefix`, or a local directory when path1 is in S3. */
  readonly path2: string | Location;
  /**
   * The directory holding the pair's baseline (what both sides held after the last run), its
   * journal and its lock, under a name derived from both locations. The library reads no
   * environment: the CLI passes `$XDG_STATE_HOME/s3kit/bisync`.
   */
  readonly stateDirectory: string;
  /**
   * Rebuild the baseline: merge both sides as a union (nothing is deleted; a key that differs
   * on the two sides is a conflict, resolved by `conflict`). Needed on the first run of a pair
   * and after a change of filters; a killed run never needs it.
   * @defaultValue `false`
   */
  readonly resync?: boolean;
  /**
   * How conflicts are resolved when `resolveConflict` is not given (see {@link ConflictPolicy}).
   * @defaultValue `'keep-both'`
   */
  readonly conflict?: ConflictPolicy;
  /**
   * Decides each conflict (an interactive prompt, a rule of the application's own); overrides
   * `conflict`. Called one conflict at a time.
   * @defaultValue none: `conflict` decides
   */
  readonly resolveConflict?: (conflict: BisyncConflict) => ConflictChoice | Promise<ConflictChoice>;
  /**
   * Run although a side lists nothing while the baseline holds keys (an unmounted disk, a wrong
   * prefix), and delete more than `maxDelete` allows.
   * @defaultValue `false`
   */
  readonly force?: boolean;
  /**
   * The most deletes on one side, as a count or a percentage of the keys the baseline holds;
   * past it that side's deletes are not made (the rest of the run is).
   * @defaultValue `'50%'`
   */
  readonly maxDelete?: MaxDelete;
  /**
   * Plan and report, but copy, rename and delete nothing, and leave the baseline as it is.
   * @defaultValue `false`
   */
  readonly dryRun?: boolean;
  /**
   * How two runs on the pair exclude each other.
   * @defaultValue a lock file beside the baseline ({@link localPairLock})
   */
  readonly lock?: PairLock;
  /**
   * Also lock each S3 side, so that runs on different machines exclude each other: a lease
   * object `.s3kit-bisync.lock` under the side's prefix, created with `If-None-Match: *` and
   * renewed while the run lasts (a crashed holder's lock lapses after `s3LockLeaseSeconds`).
   * Taking it also finds out which conditional requests the server honours; overwrites and
   * deletes of objects then carry `If-Match` with the ETag the run planned from. Dry runs take no
   * S3 lock.
   * @defaultValue `true`
   */
  readonly s3Lock?: boolean;
  /**
   * How long an S3 lock lives without a renewal; the holder renews it every third of this.
   * @defaultValue `300`
   */
  readonly s3LockLeaseSeconds?: number;
  /**
   * A key (a file name relative to both sides, such as `.s3kit-access-check`) that must exist on
   * both sides, or the run is refused before anything is listed: a guard against an unmounted
   * disk, a wrong prefix or a policy that hides keys, which would otherwise look like deletes.
   * Create the file on both sides once; it is synced like any other.
   * @defaultValue none: no access check
   */
  readonly accessCheck?: string;
  /**
   * The clock, for the date in conflict names (tests).
   * @defaultValue `() => new Date()`
   */
  readonly now?: () => Date;
}

/**
 * Options of one {@link Bisyncer.run} call.
 * @public
 */
export interface BisyncRunOptions {
  /** Cancels the run: copies stop, what was done is kept in the baseline. */
  readonly signal?: AbortSignal;
}
