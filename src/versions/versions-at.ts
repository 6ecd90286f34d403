import type { S3Client } from '@aws-sdk/client-s3';
import type { S3Location } from '../index.js';
import { listVersions, type ObjectVersion } from './list-versions.js';

/**
 * One key's state at a point in time beside its state now.
 * @public
 */
export interface KeyAtTime {
  /** The key, relative to the location's prefix. */
  readonly key: string;
  /**
   * The version that was current at the time: the newest version written at or before it.
   * Undefined when the key did not exist then (nothing written yet, or its newest entry by then
   * was a delete marker).
   */
  readonly version: ObjectVersion | undefined;
  /** The key's newest entry now: its current version, or a delete marker when it is deleted now. */
  readonly latest: ObjectVersion;
}

/**
 * Options of {@link versionsAt}.
 * @public
 */
export interface VersionsAtOptions {
  /** Cancels the listing. */
  readonly signal?: AbortSignal;
}

/**
 * For each key under the location (in S3 key order), the version that was current at `at`
 * beside the key's current state: the newest version or delete marker written at or before
 * `at`; a delete marker, or no entry that old, means the key did not exist then. Streams the
 * version listing and holds one key's candidates at a time, so memory stays flat whatever the
 * number of keys and versions.
 * @public
 */
export async function* versionsAt(client: S3Client, location: S3Location, at: Date, options: VersionsAtOptions = {}): AsyncGenerator<KeyAtTime> {
  const limit = at.getTime();
  if (!Number.isFinite(limit)) throw new TypeError('versionsAt: `at` is an invalid Date.');
  let key: string | undefined;
  let latest: ObjectVersion | undefined;
  let then: ObjectVersion | undefined;
  const state = (): KeyAtTime => ({ key: key!, version: then === undefined || then.deleteMarker ? undefined : then, latest: latest! });
  for await (const entry of listVersions(client, location, { signal: options.signal })) {
    if (entry.key !== key) {
      if (key !== undefined) yield state();
      key = entry.key;
      latest = entry;
      then = undefined;
    }
    // The newest entry by `at`; entries come newest first, so on equal times the first stays.
    const written = entry.lastModified.getTime();
    if (written <= limit && (then === undefined || written > then.lastModified.getTime())) then = entry;
  }
  if (key !== undefined) yield state();
}
