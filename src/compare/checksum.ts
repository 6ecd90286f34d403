import type { Verdict } from '../core/action.js';
import type { Entry } from '../core/entry.js';
import { isLocal, type Comparator, type CompareContext } from './comparator.js';
import { candidatePartSizes, isMd5Etag, multipartPartCount } from '../core/multipart-etag.js';
import { sizeMtimeComparator } from './size-mtime.js';

/**
 * Compares content (`--checksum`). A local file is digested and compared with the object's
 * ETag: its MD5 against a single-part ETag, or the multipart ETag recomputed for the part size
 * used (recorded by s3kit in `x-amz-meta-s3kit-part-size`, else the common part sizes that give
 * the same part count). Two objects compare their ETags. When the ETags cannot settle it
 * (SSE-KMS, unknown part size), the size+mtime rule decides, as rclone falls back to size when
 * no hash is available.
 * @public
 */
export function checksumComparator(): Comparator {
  const fallback = sizeMtimeComparator();
  return {
    name: 'checksum',
    async compare(source, target, context): Promise<Verdict> {
      if (source.size !== target.size) return { equal: false, reason: 'size-differs' };
      if (isLocal(source) !== isLocal(target)) {
        const [file, object, objectSide] = isLocal(source) ? [source, target, 'target' as const] : [target, source, 'source' as const];
        const verdict = await compareFileWithObject(file, object, objectSide, context);
        if (verdict !== undefined) return verdict;
      } else if (!isLocal(source)) {
        const [a, b] = [source.etag?.toLowerCase(), target.etag?.toLowerCase()];
        // Equal ETags of the same shape (both MD5, or both multipart with the same count) mean equal content.
        if (a !== undefined && b !== undefined && (isMd5Etag(a) || multipartPartCount(a) !== undefined)) {
          if (a === b) return { equal: true, reason: 'checksum-equal' };
          if (isMd5Etag(a) && isMd5Etag(b)) return { equal: false, reason: 'checksum-differs' };
        }
      }
      return fallback.compare(source, target, context);
    },
  };
}

async function compareFileWithObject(
  file: Entry,
  object: Entry,
  objectSide: 'source' | 'target',
  context: CompareContext,
): Promise<Verdict | undefined> {
  const etag = (object.etag ?? (await context.objectMetadata(object, objectSide)).etag)?.toLowerCase();
  if (etag === undefined) return undefined;
  if (isMd5Etag(etag)) return verdict((await context.fileDigest(file, [])).md5 === etag);
  const partCount = multipartPartCount(etag);
  if (partCount === undefined) return undefined;
  const recorded = (await context.objectMetadata(object, objectSide)).partSize;
  const partSizes = candidatePartSizes(file.size, partCount, recorded);
  if (partSizes.length === 0) return undefined;
  const digest = await context.fileDigest(file, partSizes);
  return verdict([...digest.multipartEtags.values()].includes(etag));
}

function verdict(equal: boolean): Verdict {
  return equal ? { equal: true, reason: 'checksum-equal' } : { equal: false, reason: 'checksum-differs' };
}
