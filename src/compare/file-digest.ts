import { createHash, type Hash } from 'node:crypto';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { ContentDigest } from './comparator.js';

/**
 * Reads a file once and returns its MD5 and, for each part size, the multipart ETag an upload
 * in parts of that size would get (`md5(concat(md5(part)...))-N`).
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
    return `${createHash('md5').update(Buffer.concat(parts)).digest('hex')}-${parts.length}`;
  }
}
