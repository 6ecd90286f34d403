/*
 * The vocabulary of a restore's plan (s3kit/versions): what a restore does to one key and what
 * that replaces. In core beside a sync's `Action` because both the restore (versions/) and its
 * plan file (plan/restore-plan-file.ts) speak it.
 */

/**
 * The version a restore puts back, as a plan records it (JSON: the time is ISO 8601 text).
 * @public
 */
export interface PlannedVersion {
  /** The version's id. */
  readonly versionId: string;
  /** Its size in bytes. */
  readonly size: number;
  /** Its ETag without quotes, when the listing gave one. */
  readonly etag?: string;
  /** When it was written (ISO 8601). */
  readonly lastModified: string;
  /** Its storage class, when the listing gave one. */
  readonly storageClass?: string;
}

/**
 * What an action replaces or removes: the key's current version in the bucket (restore in
 * place), or the file at the key's path (restore to a local directory).
 * @public
 */
export interface ReplacedState {
  /** In the bucket: the id of the key's current version or delete marker. */
  readonly versionId?: string;
  /** In the bucket: true when the key is deleted now (its newest entry is a delete marker). */
  readonly deleteMarker?: boolean;
  /** The size in bytes. */
  readonly size?: number;
  /** In the bucket: the current version's ETag. */
  readonly etag?: string;
  /** In a local directory: the file's mtime in milliseconds. */
  readonly mtimeMs?: number;
}

/**
 * One thing a restore will do.
 * - `restore`: write the key's version at the time back — download it over (or to) the local
 *   file, or copy it over the key in the bucket as its new current version. `replaces` is null
 *   when nothing is at the local path.
 * - `delete`: the key did not exist at the time: remove its local file, or put a delete marker
 *   on it in the bucket.
 * @public
 */
export type RestoreAction =
  | { readonly type: 'restore'; readonly key: string; readonly version: PlannedVersion; readonly replaces: ReplacedState | null }
  | { readonly type: 'delete'; readonly key: string; readonly replaces: ReplacedState };
