import { utimesSync, writeFileSync } from 'node:fs';
import { utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { createSyncer } from 's3kit';
import { tempDir } from '../helpers/files.js';
import { createTestBucket, getObjectBytes, syncOptions } from '../helpers/s3.js';

/**
 * A rewrite that lands while a small file is being read for its PutObject. No proxy can reach
 * that window (the read ends before any request), so `readFile` is wrapped: once its bytes are
 * in, the file is rewritten with the same size and its mtime put back, as `touch -d` would.
 */
const rewriteAfterRead = vi.hoisted(() => ({ path: '', content: Buffer.alloc(0), mtime: new Date(0), done: false }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...original,
    readFile: async (...args: Parameters<typeof original.readFile>) => {
      const result = await original.readFile(...args);
      if (!rewriteAfterRead.done && args[0] === rewriteAfterRead.path) {
        rewriteAfterRead.done = true;
        writeFileSync(rewriteAfterRead.path, rewriteAfterRead.content);
        utimesSync(rewriteAfterRead.path, rewriteAfterRead.mtime, rewriteAfterRead.mtime);
      }
      return result;
    },
  };
});

describe('a small file rewritten while it is read, its mtime put back', () => {
  it('is stored with its new bytes, not the old ones under the restored mtime', async () => {
    const bucket = await createTestBucket('put-rewrite');
    const root = await tempDir('put-rewrite');
    const path = join(root, 'note.txt');
    await writeFile(path, 'old content, 28 bytes long..');
    const mtime = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
    await utimes(path, mtime, mtime);
    Object.assign(rewriteAfterRead, { path, content: Buffer.from('NEW CONTENT, 28 BYTES LONG..'), mtime });
    const summary = await createSyncer(syncOptions(root, `s3://${bucket}`)).run();
    expect(rewriteAfterRead.done).toBe(true);
    expect(summary.failures).toEqual([]);
    // The old bytes under the old mtime would never be sent again: size and mtime match the file.
    expect((await getObjectBytes(bucket, 'note.txt')).toString()).toBe('NEW CONTENT, 28 BYTES LONG..');
  });
});
