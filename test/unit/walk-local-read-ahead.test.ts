import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareKeys } from '../../src/core/key-order.js';
import { walkLocal } from '../../src/listing/walk-local.js';

/*
 * The walk reads sibling directories ahead of the one it yields from; its output must still be
 * every file exactly once, in S3 key order, for trees whose names sort across the `/`
 * boundary (`a-b` < `a/x` < `a0`, `a.f` < `a/`), with unicode beyond the BMP.
 */
const name = fc.constantFrom('a', 'a-b', 'a0', 'a.f', 'b', 'é', 'e\u0301', '😀', '\uffee', 'z z', '+%');

describe('walkLocal with read-ahead', () => {
  it('yields every file once, in key order, for generated trees', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(name, { minLength: 1, maxLength: 4 }), { maxLength: 40 }), async (paths) => {
        const root = mkdtempSync(join(tmpdir(), 's3kit-walk-ahead-'));
        try {
          // Directories are the segments, files end in `.file`: a name is never both.
          const keys = [...new Set(paths.map((segments) => `${segments.join('/')}.file`))];
          for (const key of keys) {
            mkdirSync(dirname(join(root, key)), { recursive: true });
            writeFileSync(join(root, key), key);
          }
          const walked: string[] = [];
          for await (const entry of walkLocal(root)) walked.push(entry.key);
          expect(walked).toEqual([...keys].sort(compareKeys));
        } finally {
          rmSync(root, { recursive: true, force: true });
        }
      }),
      { numRuns: 40, seed: 13 },
    );
  });
});
