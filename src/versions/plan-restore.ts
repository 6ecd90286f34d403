import type { S3Client } from '@aws-sdk/client-s3';
import { ConfigError, type S3Location } from '../index.js';
import { planInBucket, requireVersioning } from './restore-in-bucket.js';
import { destinationRoot, planLocal } from './restore-local.js';
import type { RestoreAction } from './restore-plan.js';
import { concurrencyOf } from './task-pool.js';

/**
 * Options of {@link planRestore}.
 * @public
 */
export interface PlanRestoreOptions {
  /** The client of the versioned bucket. */
  readonly client: S3Client;
  /** The versioned bucket and prefix. */
  readonly source: S3Location;
  /** The same location to restore in place, or a local directory to restore into. */
  readonly target: S3Location | string;
  /** The point in time whose state is restored. */
  readonly at: Date;
  /**
   * Local target: also plan to remove files whose key did not exist at `at`.
   * @defaultValue `false`
   */
  readonly delete?: boolean;
  /**
   * Local files compared with their versions at once (an MD5 each, for single-part ETags).
   * @defaultValue `4`
   */
  readonly concurrency?: number;
  /** Cancels the planning. */
  readonly signal?: AbortSignal;
}

/**
 * What a restore would do, action by action in key order, changing nothing: the plan that
 * `restoreInBucket` and `restoreToLocal` take back as `expectedPlan` (and that the CLI's
 * `restore --plan --json` saves for `s3kit apply`). Keys already in their state at `at` are
 * left out. In place, the target must be the source itself and the bucket's versioning must be
 * Enabled (a `ConfigError` otherwise), as for the restore.
 * @public
 */
export async function* planRestore(options: PlanRestoreOptions): AsyncGenerator<RestoreAction> {
  const { client, source, target, at, signal } = options;
  if (!(at instanceof Date) || !Number.isFinite(at.getTime())) throw new ConfigError('at', 'at must be a valid Date.');
  if (source?.kind !== 's3') throw new ConfigError('source', 'source must be an S3 location (s3://bucket/prefix).');
  const concurrency = concurrencyOf(options.concurrency, 4);
  let planned;
  if (typeof target === 'string') {
    planned = planLocal({ client, source, target, at, delete: options.delete, signal }, await destinationRoot(target, true), concurrency);
  } else {
    if (target?.kind !== 's3' || target.bucket !== source.bucket || target.prefix !== source.prefix) {
      throw new ConfigError('target', 'target must be the source itself (a restore in place) or a local directory.');
    }
    if (options.delete === true) throw new ConfigError('delete', 'delete applies to a local target: a restore in place always puts delete markers on the keys that did not exist at the time.');
    await requireVersioning(client, source, signal);
    planned = planInBucket(client, source, at, signal);
  }
  for await (const key of planned) if (key.type !== 'unchanged') yield key;
}
