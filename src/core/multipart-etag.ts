import { createHash, type Hash } from 'node:crypto';

/**
 * The multipart ETag, in one place: S3 gives an object uploaded in parts the ETag
 * `md5(concat(md5(part1) … md5(partN)))-N`. Uploads (to confirm a completion whose answer was
 * lost), downloads (to check what arrived) and the checksum comparator all compute or parse it
 * here.
 */

const MiB = 1024 * 1024;

/**
 * Part sizes other tools commonly use, tried when an object's multipart ETag was not made by
 * s3kit (which records its part size): lib-storage and s3cmd 5 MiB, aws-cli 8 MiB, rclone and
 * s5cmd defaults, and the usual powers of two.
 */
const COMMON_PART_SIZES = [5, 8, 15, 16, 32, 50, 64, 100, 128, 256, 512].map((n) => n * MiB);

/**
 * Digests of a local file's content: the MD5 of the whole, and the multipart ETag
 * (`md5-of-part-md5s-N`) it would have for each part size asked for.
 * @public
 */
export interface ContentDigest {
  /** Hex MD5 of the whole content. */
  readonly md5: string;
  /** Multipart ETag by part size, e.g. `8388608 → '9b2cf5...-3'`. */
  readonly multipartEtags: ReadonlyMap<number, string>;
}

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

/** The multipart ETag (lower-case hex, unquoted) of parts with these binary MD5 digests, in part order. */
export function multipartEtagOf(partDigests: readonly Buffer[]): string {
  return `${createHash('md5').update(Buffer.concat(partDigests)).digest('hex')}-${partDigests.length}`;
}

/**
 * Hashes a stream chunk by chunk as an upload in parts of `partSize` would split it, and gives
 * the multipart ETag those parts make.
 */
export class PartHasher {
  readonly partSize: number;
  readonly #partDigests: Buffer[] = [];
  #current: Hash = createHash('md5');
  #filled = 0;

  constructor(partSize: number) {
    this.partSize = partSize;
  }

  update(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(this.partSize - this.#filled, chunk.length - offset);
      this.#current.update(chunk.subarray(offset, offset + take));
      this.#filled += take;
      offset += take;
      if (this.#filled === this.partSize) {
        this.#partDigests.push(this.#current.digest());
        this.#current = createHash('md5');
        this.#filled = 0;
      }
    }
  }

  etag(): string {
    const parts = [...this.#partDigests];
    if (this.#filled > 0 || parts.length === 0) parts.push(this.#current.digest());
    return multipartEtagOf(parts);
  }
}
