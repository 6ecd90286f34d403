import type { Verdict } from '../core/action.js';
import type { Comparator } from './comparator.js';
import { candidatePartSizes, isMd5Etag, multipartPartCount } from './multipart-etag.js';
import { sizeMtimeComparator } from './size-mtime.js';

/**
 * Compares content (`--checksum`): the source's MD5 against a single-part ETag, or the
 * multipart ETag recomputed from the source for the part size used (recorded by s3kit in
 * `x-amz-meta-s3kit-part-size`, else the common part sizes that give the same part count).
 * When the ETag cannot be reproduced (SSE-KMS, unknown part size), the size+mtime rule decides,
 * as rclone falls back to size when no hash is available.
 * @public
 */
export function checksumComparator(): Comparator {
  const fallback = sizeMtimeComparator();
  return {
    name: 'checksum',
    async compare(source, target, context): Promise<Verdict> {
      if (source.size !== target.size) return { equal: false, reason: 'size-differs' };
      let etag = target.etag ?? (await context.targetMetadata(target)).etag;
      if (etag !== undefined && isMd5Etag(etag)) {
        const digest = await context.sourceDigest(source, []);
        return verdict(digest.md5 === etag.toLowerCase());
      }
      const partCount = etag === undefined ? undefined : multipartPartCount(etag);
      if (etag !== undefined && partCount !== undefined) {
        etag = etag.toLowerCase();
        const recorded = (await context.targetMetadata(target)).partSize;
        const partSizes = candidatePartSizes(source.size, partCount, recorded);
        if (partSizes.length > 0) {
          const digest = await context.sourceDigest(source, partSizes);
          return verdict([...digest.multipartEtags.values()].includes(etag));
        }
      }
      return fallback.compare(source, target, context);
    },
  };
}

function verdict(equal: boolean): Verdict {
  return equal ? { equal: true, reason: 'checksum-equal' } : { equal: false, reason: 'checksum-differs' };
}
