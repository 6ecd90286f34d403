import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareKeys, type Entry } from 's3kit';
import { decide, mergeThree, planBisync, sideChange, type BaselineRecord, type BisyncDecision, type SideState } from '../../src/plan/bisync-plan.js';

const entry = (key: string, size: number, mtimeMs: number, etag?: string): Entry => ({ key, size, mtimeMs, ...(etag === undefined ? {} : { etag }) });
const state = (size: number, mtimeMs: number, etag?: string): SideState => ({ size, mtimeMs, ...(etag === undefined ? {} : { etag }) });

async function* stream<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('sideChange', () => {
  it.each<[string, Entry | undefined, SideState | undefined, string]>([
    ['no baseline, no entry', undefined, undefined, 'absent'],
    ['no baseline, an entry', entry('k', 1, 1), undefined, 'new'],
    ['a baseline, no entry', undefined, state(1, 1), 'deleted'],
    ['same size and mtime', entry('k', 5, 1000.7), state(5, 1000.2), 'unchanged'],
    ['same size, other mtime', entry('k', 5, 2000), state(5, 1000), 'changed'],
    ['other size', entry('k', 6, 1000), state(5, 1000), 'changed'],
    ['same ETag, other mtime (S3 keeps no mtime of its own)', entry('k', 5, 2000, 'e1'), state(5, 1000, 'e1'), 'unchanged'],
    ['other ETag, same mtime and size', entry('k', 5, 1000, 'e2'), state(5, 1000, 'e1'), 'changed'],
  ])('%s → %s', (_what, current, base, expected) => {
    expect(sideChange(current, base)).toBe(expected);
  });
});

describe('decide: every pair of side changes', () => {
  const base: BaselineRecord = { key: 'k', path1: state(3, 1000), path2: state(3, 2000, 'e') };
  const sides = {
    unchanged1: entry('k', 3, 1000),
    changed1: entry('k', 4, 1000),
    unchanged2: entry('k', 3, 9999, 'e'),
    changed2: entry('k', 3, 2000, 'other'),
  };
  it.each<[string, Entry | undefined, Entry | undefined, BaselineRecord | undefined, Partial<BisyncDecision>]>([
    ['unchanged / unchanged: nothing', sides.unchanged1, sides.unchanged2, base, { kind: 'none' }],
    ['changed / unchanged: path1 wins', sides.changed1, sides.unchanged2, base, { kind: 'copy', from: 'path1', reason: 'changed' }],
    ['unchanged / changed: path2 wins', sides.unchanged1, sides.changed2, base, { kind: 'copy', from: 'path2', reason: 'changed' }],
    ['changed / changed: contents decide', sides.changed1, sides.changed2, base, { kind: 'compare', reason: 'changed-on-both' }],
    ['deleted / unchanged: delete in path2', undefined, sides.unchanged2, base, { kind: 'delete', side: 'path2' }],
    ['unchanged / deleted: delete in path1', sides.unchanged1, undefined, base, { kind: 'delete', side: 'path1' }],
    ['changed / deleted: the change is kept and copied back', sides.changed1, undefined, base, { kind: 'copy', from: 'path1', reason: 'changed-other-deleted' }],
    ['deleted / changed: the change is kept and copied back', undefined, sides.changed2, base, { kind: 'copy', from: 'path2', reason: 'changed-other-deleted' }],
    ['deleted / deleted: the baseline forgets it', undefined, undefined, base, { kind: 'forget' }],
    ['new / absent: copy to path2', sides.unchanged1, undefined, undefined, { kind: 'copy', from: 'path1', reason: 'new' }],
    ['absent / new: copy to path1', undefined, sides.unchanged2, undefined, { kind: 'copy', from: 'path2', reason: 'new' }],
    ['new / new: contents decide', sides.unchanged1, sides.unchanged2, undefined, { kind: 'compare', reason: 'new-on-both' }],
  ])('%s', (_what, path1, path2, baseRecord, expected) => {
    expect(decide({ key: 'k', path1, path2, base: baseRecord })).toMatchObject({ key: 'k', ...expected });
  });

  it('never deletes a side that changed since the baseline', () => {
    for (const path1 of [sides.changed1, undefined]) {
      for (const path2 of [sides.changed2, undefined]) {
        const decision = decide({ key: 'k', path1, path2, base });
        if (decision.kind === 'delete') expect(decision.target).toBe(decision.side === 'path1' ? sides.unchanged1 : sides.unchanged2);
      }
    }
  });
});

describe('mergeThree and planBisync', () => {
  it('yields one record per key in key order, matching the three streams', async () => {
    const merged = await collect(
      mergeThree(
        stream([entry('a', 1, 1), entry('c', 1, 1)]),
        stream([entry('b', 1, 1), entry('c', 1, 1)]),
        stream<BaselineRecord>([{ key: 'a', path1: state(1, 1), path2: state(1, 1) }, { key: 'd', path1: state(1, 1), path2: state(1, 1) }]),
      ),
    );
    expect(merged.map((record) => [record.key, record.path1 !== undefined, record.path2 !== undefined, record.base !== undefined])).toEqual([
      ['a', true, false, true],
      ['b', false, true, false],
      ['c', true, true, false],
      ['d', false, false, true],
    ]);
  });

  it('refuses a baseline out of key order', async () => {
    const records: BaselineRecord[] = [{ key: 'b', path1: state(1, 1), path2: state(1, 1) }, { key: 'a', path1: state(1, 1), path2: state(1, 1) }];
    await expect(collect(planBisync(stream([]), stream([]), stream(records)))).rejects.toThrow(/baseline is out of key order/);
  });

  it('property: one decision per key of the union, in key order, each as decide() says; no delete of a changed side', async () => {
    const key = fc.constantFrom('a', 'b', 'a/b', 'a-b', 'é', 'z', '0', 'dir/x', 'dir/y');
    const side = fc.option(fc.record({ size: fc.integer({ min: 0, max: 3 }), mtimeMs: fc.integer({ min: 0, max: 2 }) }), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.tuple(key, side, side, fc.option(fc.tuple(side, side), { nil: undefined })), { selector: ([k]) => k }), async (rows) => {
        const sorted = [...rows].sort(([a], [b]) => compareKeys(a, b));
        const path1 = sorted.flatMap(([k, one]) => (one === undefined ? [] : [entry(k, one.size, one.mtimeMs)]));
        const path2 = sorted.flatMap(([k, , two]) => (two === undefined ? [] : [entry(k, two.size, two.mtimeMs)]));
        const baseline = sorted.flatMap(([k, , , base]) =>
          base === undefined || base[0] === undefined || base[1] === undefined ? [] : [{ key: k, path1: state(base[0].size, base[0].mtimeMs), path2: state(base[1].size, base[1].mtimeMs) }],
        );
        const decisions = await collect(planBisync(stream(path1), stream(path2), stream(baseline)));
        const expectedKeys = sorted.map(([k]) => k).filter((k) => path1.some((e) => e.key === k) || path2.some((e) => e.key === k) || baseline.some((b) => b.key === k));
        expect(decisions.map((decision) => decision.key)).toEqual(expectedKeys);
        for (const decision of decisions) {
          const record = {
            key: decision.key,
            path1: path1.find((e) => e.key === decision.key),
            path2: path2.find((e) => e.key === decision.key),
            base: baseline.find((b) => b.key === decision.key),
          };
          expect(decision).toEqual(decide(record));
          if (decision.kind === 'delete') {
            // What is deleted is exactly what the baseline recorded on that side: nobody's edit.
            expect(sideChange(record[decision.side], record.base?.[decision.side])).toBe('unchanged');
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
