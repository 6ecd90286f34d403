import type { Verdict } from '../core/action.js';
import type { Comparator } from './comparator.js';

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
   * Same-size keys are equal only when the times match (within `windowMs`), in either
   * direction, as aws-cli's `--exact-timestamps`. Reads the stored source mtime with a HEAD
   * for every same-size key.
   * @defaultValue `false`
   */
  readonly exactTimestamps?: boolean;
}

/**
 * The default comparison, aws-cli's rule made exact where it can be: different sizes differ;
 * otherwise the source is copied when it is newer than the target's `LastModified`. Before
 * calling a same-size key different, the target's stored source mtime (`x-amz-meta-mtime`,
 * one HEAD of that candidate only) is consulted, so a file whose clock is ahead of the
 * server's is not uploaded again on every run. A no-op sync therefore makes no HEAD at all.
 * @public
 */
export function sizeMtimeComparator(options: SizeMtimeOptions = {}): Comparator {
  const windowMs = options.windowMs ?? 0;
  if (!Number.isFinite(windowMs) || windowMs < 0) {
    throw new TypeError(`windowMs must be a non-negative number of milliseconds, got ${String(options.windowMs)}`);
  }
  const exact = options.exactTimestamps ?? false;
  // The stored mtime keeps milliseconds, so allow at least the rounding of one millisecond.
  const storedWindowMs = Math.max(windowMs, 1);
  return {
    name: exact ? 'exact-timestamps' : 'size-mtime',
    async compare(source, target, context): Promise<Verdict> {
      if (source.size !== target.size) return { equal: false, reason: 'size-differs' };
      const newer = source.mtimeMs > target.mtimeMs + windowMs;
      if (!exact && !newer) return { equal: true, reason: 'target-not-older' };
      const stored = (await context.targetMetadata(target)).sourceMtimeMs;
      if (stored !== undefined) {
        return Math.abs(stored - source.mtimeMs) <= storedWindowMs
          ? { equal: true, reason: 'mtime-equal' }
          : { equal: false, reason: 'mtime-differs' };
      }
      if (!exact) return { equal: false, reason: 'source-newer' };
      return Math.abs(source.mtimeMs - target.mtimeMs) <= windowMs
        ? { equal: true, reason: 'mtime-equal' }
        : { equal: false, reason: 'mtime-differs' };
    },
  };
}
