import type { Verdict } from '../core/action.js';
import type { Entry } from '../core/entry.js';
import { isLocal, type Comparator, type CompareContext } from './comparator.js';

/**
 * Options of {@link sizeMtimeComparator}.
 * @public
 */
export interface SizeMtimeOptions {
  /**
   * Times closer than this count as equal, for file systems and servers with coarse clocks.
   * @defaultValue `0`
   */
  readonly windowMs?: number;
  /**
   * Downloads only, as aws-cli's `--exact-timestamps`: a same-size file is equal only when its
   * time matches the object's (stored mtime, else `LastModified`, within `windowMs`), whichever
   * is newer. Uploads and S3 → S3 copies follow the default rule.
   * @defaultValue `false`
   */
  readonly exactTimestamps?: boolean;
}

/**
 * The default comparison. Different sizes differ. For same-size keys, "equal" means the target
 * carries the source's modification time — stored in `x-amz-meta-mtime` on objects, set as the
 * mtime of downloaded files — and the listings settle the common cases without a request:
 * - to S3: the source is not newer than the object's `LastModified` (aws-cli's rule; the object
 *   was written after the file last changed);
 * - to a local directory: the file's mtime equals the object's `LastModified`.
 * Otherwise the object is a candidate and one HEAD reads its stored mtime; when the stored times
 * match the key is equal, whichever side is newer. So a same-size object that changed in S3 is
 * downloaded even when the local file looks newer (aws-cli's trap), and a file whose clock is
 * ahead of the server's is not uploaded again on every run.
 * @public
 */
export function sizeMtimeComparator(options: SizeMtimeOptions = {}): Comparator {
  const windowMs = options.windowMs ?? 0;
  if (!Number.isFinite(windowMs) || windowMs < 0) {
    throw new TypeError(`windowMs must be a non-negative number of milliseconds, got ${String(options.windowMs)}`);
  }
  const exact = options.exactTimestamps ?? false;
  // Stored mtimes keep milliseconds, so allow at least the rounding of one millisecond.
  const storedWindowMs = Math.max(windowMs, 1);
  const equal = (a: number, b: number): boolean => Math.abs(a - b) <= storedWindowMs;
  return {
    name: exact ? 'exact-timestamps' : 'size-mtime',
    async compare(source, target, context): Promise<Verdict> {
      if (source.size !== target.size) return { equal: false, reason: 'size-differs' };
      if (isLocal(target)) {
        // Download: the file should carry the object's stored mtime, else its LastModified.
        if (!exact && equal(target.mtimeMs, source.mtimeMs)) return { equal: true, reason: 'mtime-equal' };
        const expected = await effectiveMtime(source, 'source', context);
        return equal(target.mtimeMs, expected) ? { equal: true, reason: 'mtime-equal' } : { equal: false, reason: 'mtime-differs' };
      }
      // To S3, exactTimestamps changes nothing (aws-cli: it applies to downloads only), so an
      // object written after the file changed — by s3kit or another tool — is left alone.
      const newer = source.mtimeMs > target.mtimeMs + windowMs;
      if (!newer) return { equal: true, reason: 'target-not-older' };
      const stored = (await context.objectMetadata(target, 'target')).sourceMtimeMs;
      if (stored !== undefined) {
        const sourceTime = await effectiveMtime(source, 'source', context);
        return equal(stored, sourceTime) ? { equal: true, reason: 'mtime-equal' } : { equal: false, reason: 'mtime-differs' };
      }
      return { equal: false, reason: 'source-newer' };
    },
  };
}

/** A local file's mtime, or an object's stored source mtime (one HEAD), else its LastModified. */
async function effectiveMtime(entry: Entry, side: 'source' | 'target', context: CompareContext): Promise<number> {
  if (isLocal(entry)) return entry.mtimeMs;
  return (await context.objectMetadata(entry, side)).sourceMtimeMs ?? entry.mtimeMs;
}
