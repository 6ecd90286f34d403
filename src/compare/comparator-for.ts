import { COMPARE_MODES } from '../core/compare-mode.js';
import { ConfigError } from '../core/errors.js';
import { checksumComparator } from './checksum.js';
import type { Comparator } from './comparator.js';
import { sizeOnlyComparator } from './size-only.js';
import { sizeMtimeComparator } from './size-mtime.js';

/** The comparator for a compare mode name, or the custom comparator given. */
export function comparatorFor(mode: string | Comparator, windowMs: number | undefined): Comparator {
  if (typeof mode !== 'string') return mode;
  switch (mode) {
    case 'size-mtime':
      return sizeMtimeComparator({ windowMs });
    case 'exact-timestamps':
      return sizeMtimeComparator({ windowMs, exactTimestamps: true });
    case 'size-only':
      return sizeOnlyComparator();
    case 'checksum':
      return checksumComparator();
    default:
      throw new ConfigError('compare', `compare must be one of ${COMPARE_MODES.join(', ')} or a Comparator, got ${JSON.stringify(mode)}.`);
  }
}
