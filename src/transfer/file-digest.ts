import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { PartHasher, type ContentDigest } from '../core/multipart-etag.js';

/**
 * Reads a file once and returns its MD5 and, for each part size, the multipart ETag an upload
 * in parts of that size would get.
 */
export async function digestFile(path: string, partSizes: readonly number[], signal?: AbortSignal): Promise<ContentDigest> {
  const whole = createHash('md5');
  const splitters = partSizes.map((partSize) => new PartHasher(partSize));
  for await (const chunk of createReadStream(path, { signal, highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
    whole.update(chunk);
    for (const splitter of splitters) splitter.update(chunk);
  }
  return {
    md5: whole.digest('hex'),
    multipartEtags: new Map(splitters.map((splitter) => [splitter.partSize, splitter.etag()])),
  };
}
