import { describe, expect, it } from 'vitest';
import { sizeMtimeComparator } from '../../src/compare/size-mtime.js';
import type { Entry } from '../../src/core/entry.js';
import { planSync } from '../../src/plan/plan-sync.js';

const gc = (globalThis as { gc?: () => void }).gc;

describe('planner memory', () => {
  it('plans 100,000 keys with bounded heap growth', async () => {
    expect(gc, 'vitest must run with --expose-gc (see vitest.config.ts)').toBeTypeOf('function');
    const count = 100_000;
    // Generated lazily and in key order (directory by directory): nothing holds the listing.
    const sorted = (side: number): AsyncGenerator<Entry> => {
      return (async function* () {
        for (let dir = 0; dir < 100; dir++) {
          for (let i = dir; i < count; i += 100) {
            yield { key: `dir${String(dir).padStart(3, '0')}/file-${String(i).padStart(8, '0')}.dat`, size: 4096, mtimeMs: side };
          }
        }
      })();
    };
    gc!();
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    let actions = 0;
    const context = { objectMetadata: async () => ({}), fileDigest: async () => ({ md5: '', multipartEtags: new Map() }) };
    for await (const action of planSync(sorted(1000), sorted(2000), { comparator: sizeMtimeComparator(), context })) {
      expect(action.type).toBe('skip');
      if (++actions % 10_000 === 0) {
        gc!();
        peak = Math.max(peak, process.memoryUsage().heapUsed);
      }
    }
    expect(actions).toBe(count);
    // Holding the 200,000 entries would cost well over 30 MB; streaming keeps growth small.
    expect(peak - before).toBeLessThan(8 * 1024 * 1024);
  });

});
