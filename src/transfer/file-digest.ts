import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { PartHasher, type ContentDigest } from '../core/multipart-etag.js';

/** Full-object checksum algorithms a file can be digested with beside MD5 (as S3 names them, lower case). */
export type ChecksumAlgorithm = 'sha256' | 'sha1';

/** {@link ContentDigest} with the checksums asked for, base64 as S3 gives them. */
export interface FileDigest extends ContentDigest {
  readonly checksums: Readonly<Partial<Record<ChecksumAlgorithm, string>>>;
}

/**
 * Reads a file once and returns its MD5, for each part size the multipart ETag an upload in
 * parts of that size would get, and the full-object checksums asked for.
 */
export async function digestFile(
  path: string,
  partSizes: readonly number[],
  signal?: AbortSignal,
  checksums: readonly ChecksumAlgorithm[] = [],
): Promise<FileDigest> {
  const whole = createHash('md5');
  const splitters = partSizes.map((partSize) => new PartHasher(partSize));
  const others = checksums.map((algorithm) => [algorithm, createHash(algorithm)] as const);
  // O_NONBLOCK: a FIFO put where the file was must not block the thread pool (see the uploaders).
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  for await (const chunk of handle.createReadStream({ signal, highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
    whole.update(chunk);
    for (const splitter of splitters) splitter.update(chunk);
    for (const [, hash] of others) hash.update(chunk);
  }
  return {
    md5: whole.digest('hex'),
    multipartEtags: new Map(splitters.map((splitter) => [splitter.partSize, splitter.etag()])),
    checksums: Object.fromEntries(others.map(([algorithm, hash]) => [algorithm, hash.digest('base64')])),
  };
}
