import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { PartHasher, type ContentDigest } from '../core/multipart-etag.js';

/**
 * Reads a file once and returns its MD5 and, for each part size, the multipart ETag an upload
 * in parts of that size would get.
 */
export async function digestFile(path: string, partSizes: readonly number[], signal?: AbortSignal): Promise<ContentDigest> {
  const whole = createHash('md5');
  const splitters = partSizes.map((partSize) => new PartHasher(partSize));
  // O_NONBLOCK: a FIFO put where the file was must not block the thread pool (see the uploaders).
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  for await (const chunk of handle.createReadStream({ signal, highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
    whole.update(chunk);
    for (const splitter of splitters) splitter.update(chunk);
  }
  return {
    md5: whole.digest('hex'),
    multipartEtags: new Map(splitters.map((splitter) => [splitter.partSize, splitter.etag()])),
  };
}
