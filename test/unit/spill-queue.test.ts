import { describe, expect, it } from 'vitest';
import type { Entry } from '../../src/core/entry.js';
import { SpillQueue } from '../../src/syncer/spill-queue.js';
import { maxDeleteAllowance, validateMaxDelete } from '../../src/syncer/max-delete.js';

describe('SpillQueue', () => {
  it('keeps order across memory and the spill file, and removes the file', async () => {
    const deletes = new SpillQueue<Entry>(3);
    const entries: Entry[] = Array.from({ length: 2500 }, (_, i) => ({ key: `k${i}`, size: i, mtimeMs: i, etag: 'e' }));
    for (const entry of entries) await deletes.add(entry);
    expect(deletes.count).toBe(2500);
    const back: Entry[] = [];
    for await (const entry of deletes.items()) back.push(entry);
    expect(back).toEqual(entries);
    await deletes.dispose();
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
