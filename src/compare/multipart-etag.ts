const MiB = 1024 * 1024;

/**
 * Part sizes other tools commonly use, tried when an object's multipart ETag was not made by
 * s3kit (which records its part size): lib-storage and s3cmd 5 MiB, aws-cli 8 MiB, rclone and
 * s5cmd defaults, and the usual powers of two.
 */
const COMMON_PART_SIZES = [5, 8, 15, 16, 32, 50, 64, 100, 128, 256, 512].map((n) => n * MiB);

/** Parses a multipart ETag `hex-N` into its part count, or undefined for other ETags. */
export function multipartPartCount(etag: string): number | undefined {
  const match = /^[0-9a-f]{32}-(\d+)$/i.exec(etag);
  return match === null ? undefined : Number(match[1]);
}

/** True for an ETag that is a plain MD5 (single-part upload without SSE-KMS). */
export function isMd5Etag(etag: string): boolean {
  return /^[0-9a-f]{32}$/i.test(etag);
}

/**
 * The part sizes that could have produced a multipart ETag with `partCount` parts for an
 * object of `size` bytes: the recorded one first, then common ones that give that count.
 */
export function candidatePartSizes(size: number, partCount: number, recorded?: number): number[] {
  const candidates = recorded === undefined ? [] : [recorded];
  for (const partSize of COMMON_PART_SIZES) {
    if (Math.ceil(size / partSize) === partCount && !candidates.includes(partSize)) candidates.push(partSize);
  }
  return candidates;
}
