import type { Entry } from './entry.js';
import type { SyncWarning } from './events.js';

/**
 * What proved two contents equal, or different:
 * - `md5`: a local file's MD5 against a single-part ETag;
 * - `multipart-etag`: a local file's multipart ETag, recomputed for the object's part size;
 * - `etag`: two objects' ETags (equal ETags, or plain MD5s, or one part layout on both sides);
 * - `sha256`, `sha1`: full-object checksums the objects carry (read with a HEAD).
 * @public
 */
export type ContentEvidence = 'md5' | 'multipart-etag' | 'etag' | 'sha256' | 'sha1';

/**
 * Why a key present on both sides with the same size could not be compared:
 * - `unknown-part-size`: a multipart ETag whose part size is neither recorded (s3kit records
 *   it) nor told by the server, and no common part size reproduces it;
 * - `part-layouts-differ`: two objects uploaded in different ways (one in parts, one not, or in
 *   parts of different sizes) whose ETags cannot be set side by side;
 * - `etag-not-md5`: the ETag is not a digest of the content (SSE-KMS, SSE-C, or an ETag of
 *   another form) and no checksum stands in;
 * - `unreadable`: the file or object could not be read (vanished, or permission denied).
 * @public
 */
export type CannotCompareReason = 'unknown-part-size' | 'part-layouts-differ' | 'etag-not-md5' | 'unreadable';

/**
 * One difference found by a check, in key order. Keys are relative to each location's root.
 * - `only-in-path1` / `only-in-path2`: the key exists on one side only;
 * - `differs`: both sides hold the key with different sizes or different contents (`evidence`
 *   says what proved it);
 * - `cannot-compare`: both sides hold the key with the same size, and nothing available tells
 *   whether the contents are equal. A check never counts such a key as equal.
 * @public
 */
export type CheckDifference =
  | { readonly type: 'only-in-path1'; readonly key: string; readonly path1: Entry }
  | { readonly type: 'only-in-path2'; readonly key: string; readonly path2: Entry }
  | {
      readonly type: 'differs';
      readonly key: string;
      readonly reason: 'size-differs' | 'content-differs';
      /** What proved the contents different (`content-differs` only). */
      readonly evidence?: ContentEvidence;
      readonly path1: Entry;
      readonly path2: Entry;
    }
  | {
      readonly type: 'cannot-compare';
      readonly key: string;
      readonly reason: CannotCompareReason;
      /** A sentence for people saying what was missing. */
      readonly message: string;
      readonly path1: Entry;
      readonly path2: Entry;
    };

/**
 * Counts and bytes of keys of one kind.
 * @public
 */
export interface CheckTally {
  /** Number of keys. */
  readonly count: number;
  /** Their total size in bytes (path1's size for keys on both sides). */
  readonly bytes: number;
}

/**
 * What a check found.
 * @public
 */
export interface CheckSummary {
  /** The first location as a string. */
  readonly path1: string;
  /** The second location as a string. */
  readonly path2: string;
  /** True only when every key is on both sides with contents proved equal and both listings are complete. */
  readonly identical: boolean;
  /** Keys whose contents were proved equal. */
  readonly equal: CheckTally;
  /** Of `equal`, how many each kind of evidence proved. */
  readonly equalBy: Readonly<Partial<Record<ContentEvidence, number>>>;
  /** Keys only path1 holds. */
  readonly onlyInPath1: CheckTally;
  /** Keys only path2 holds. */
  readonly onlyInPath2: CheckTally;
  /** Keys on both sides whose sizes or contents differ. */
  readonly differ: CheckTally;
  /** Keys on both sides that could not be compared. */
  readonly cannotCompare: CheckTally;
  /** Warnings emitted while listing. */
  readonly warningCount: number;
  /** True when a listing passed over something it could not read, so `identical` cannot hold. */
  readonly incompleteListing: boolean;
  /** S3 requests sent (listings and HEADs). */
  readonly requests: number;
  /** Bytes of local files read to digest them. */
  readonly bytesRead: number;
  /** When the check began. */
  readonly startedAt: Date;
  /** How long it took, in milliseconds. */
  readonly durationMs: number;
}

/**
 * The events a checker emits, as an eventemitter3 event map.
 * @public
 */
export interface CheckerEvents {
  /** A difference was found (in key order). */
  difference: (event: CheckDifference) => void;
  /** A key was proved equal on both sides. */
  equal: (event: { readonly key: string; readonly evidence: ContentEvidence; readonly path1: Entry; readonly path2: Entry }) => void;
  /** A listing passed over something (see {@link SyncWarning}). */
  warning: (event: SyncWarning) => void;
  /** The check finished; the summary is final. */
  done: (event: { readonly summary: CheckSummary }) => void;
}
