import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { Entry } from '../../src/core/entry.js';
import { SpillQueue } from '../../src/state/spill-queue.js';
import { maxDeleteAllowance, validateMaxDelete } from '../../src/syncer/max-delete.js';
import { tempDir } from '../helpers/files.js';

describe('SpillQueue', () => {
  it('keeps order across memory and the spill file, and removes the file', async () => {
    // The spill file goes under os.tmpdir(), which follows TMPDIR: a directory of this test's own.
    const tmp = await tempDir('spill-tmp');
    vi.stubEnv('TMPDIR', tmp);
    try {
      const deletes = new SpillQueue<Entry>(3);
      const entries: Entry[] = Array.from({ length: 2500 }, (_, i) => ({ key: `k${i}`, size: i, mtimeMs: i, etag: 'e' }));
      for (const entry of entries) await deletes.add(entry);
      expect(deletes.count).toBe(2500);
      // It did spill: one directory holding the NDJSON of the items past the limit.
      const [spillDir, ...others] = await readdir(tmp);
      expect(others).toEqual([]);
      expect(spillDir).toMatch(/^s3kit-spill-/);
      const back: Entry[] = [];
      for await (const entry of deletes.items()) back.push(entry);
      expect(back).toEqual(entries);
      expect((await readFile(join(tmp, spillDir!, 'items.ndjson'), 'utf8')).trim().split('\n')).toHaveLength(2497);
      await deletes.dispose();
      expect(await readdir(tmp)).toEqual([]);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('never touches the disk while everything fits in memory', async () => {
    const tmp = await tempDir('spill-none');
    vi.stubEnv('TMPDIR', tmp);
    try {
      const queue = new SpillQueue<number>(10);
      for (let i = 0; i < 10; i++) await queue.add(i);
      const back: number[] = [];
      for await (const item of queue.items()) back.push(item);
      expect(back).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(await readdir(tmp)).toEqual([]);
      await queue.dispose();
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe('maxDelete', () => {
  it.each([
    [5, 100, 5],
    ['10%', 95, 9],
    ['100%', 7, 7],
    ['0%', 7, 0],
  ] as const)('%j of %i target keys allows %i', (max, targets, allowed) => {
    expect(maxDeleteAllowance(validateMaxDelete(max)!, targets)).toBe(allowed);
  });

  it.each([-1, 1.5, '10', '101%', 'ten'])('rejects %j', (value) => {
    expect(() => validateMaxDelete(value)).toThrow(/maxDelete must be/);
  });
});
