import type { ContentDigest } from '../core/multipart-etag.js';
import type { Verdict } from '../core/action.js';
import type { Entry, EntryMetadata } from '../core/entry.js';

export type { ContentDigest } from '../core/multipart-etag.js';

/**
 * What a comparator may ask for beyond the two listed entries. Both cost I/O, so comparators
 * ask only when the listing cannot decide. An entry with a `path` is a local file; one without
 * is an S3 object.
 * @public
 */
export interface CompareContext {
  /** Reads an S3 entry's metadata (one HEAD, cached per key and side). */
  readonly objectMetadata: (entry: Entry, side: 'source' | 'target') => Promise<EntryMetadata>;
  /** Reads a local entry's content once and digests it for the given multipart part sizes. */
  readonly fileDigest: (entry: Entry, partSizes: readonly number[]) => Promise<ContentDigest>;
}

/**
 * Decides whether the target already holds the source's content. Returns a {@link Verdict}
 * with a reason; throws only when it cannot work at all (e.g. a HEAD failed).
 * @public
 */
export interface Comparator {
  /** Short name for logs and plans, e.g. `size-mtime`. */
  readonly name: string;
  /** Judges one key present on both sides. */
  compare(source: Entry, target: Entry, context: CompareContext): Verdict | Promise<Verdict>;
}

/** True for a local file entry (it has a path), false for an S3 object. */
export function isLocal(entry: Entry): boolean {
  return entry.path !== undefined;
}
