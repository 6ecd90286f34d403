import { describe, expect, it } from 'vitest';
import { sizeMtimeComparator } from '../../src/compare/size-mtime.js';
import type { CompareContext } from '../../src/compare/comparator.js';
import type { Action } from '../../src/core/action.js';
import type { Entry } from '../../src/core/entry.js';
import { ListingOrderError } from '../../src/core/errors.js';
import { planSync, type PlanSyncOptions } from '../../src/plan/plan-sync.js';

async function* stream(entries: Entry[]): AsyncGenerator<Entry> {
  yield* entries;
}

const context: CompareContext = {
  objectMetadata: async () => ({}),
  fileDigest: async () => {
    throw new Error('not used');
  },
};

const base: PlanSyncOptions = { comparator: sizeMtimeComparator(), context };

async function plan(source: Entry[], target: Entry[], options: Partial<PlanSyncOptions> = {}): Promise<string[]> {
  const actions: Action[] = [];
  for await (const action of planSync(stream(source), stream(target), { ...base, ...options })) actions.push(action);
  return actions.map((a) => `${a.type} ${a.key} ${a.reason}`);
}

const e = (key: string, size = 1, mtimeMs = 1000): Entry => ({ key, size, mtimeMs });

describe('planSync', () => {
  it('pairs keys in order and decides copy, update, skip and delete with reasons', async () => {
    const source = [e('a'), e('b', 2), e('c', 1, 5000), e('d', 1, 500), e('f')];
    const target = [e('b', 3), e('c', 1, 1000), e('d', 1, 1000), e('e')];
    expect(await plan(source, target, { delete: true })).toEqual([
      'copy a missing-in-target',
      'update b size-differs',
      'update c source-newer',
      'skip d target-not-older',
      'delete e missing-in-source',
      'copy f missing-in-target',
    ]);
  });

  it('skips target-only keys unless deletes are asked for', async () => {
    expect(await plan([], [e('x')])).toEqual(['skip x delete-not-requested']);
  });

  it('keeps excluded target keys unless deleteExcluded', async () => {
    const isTargetExcluded = (key: string): boolean => key.endsWith('.log');
    expect(await plan([], [e('a.log'), e('b.txt')], { delete: true, isTargetExcluded })).toEqual([
      'skip a.log excluded',
      'delete b.txt missing-in-source',
    ]);
    expect(await plan([], [e('a.log')], { delete: true, deleteExcluded: true, isTargetExcluded })).toEqual(['delete a.log excluded']);
  });

  it('handles the directory-separator order: a-b, a/x, a0', async () => {
    expect(await plan([e('a-b'), e('a/x'), e('a0')], [e('a-b'), e('a/x'), e('a0')])).toEqual([
      'skip a-b target-not-older',
      'skip a/x target-not-older',
      'skip a0 target-not-older',
    ]);
  });

  it('pairs keys in UTF-8 byte order where UTF-16 order (JS <) differs', async () => {
    // U+FFFF (EF BF BF) sorts before U+10000 (F0 90 80 80) in bytes, as S3 lists them; as UTF-16
    // code units U+10000 is a surrogate pair (D800 DC00) and sorts first. A merge that compared
    // with < would take the target's U+10000 as missing in the source and plan to delete it.
    const low = '\uffff';
    const high = '\u{10000}';
    const emoji = 'caf\u00e9/\u{1F600}';
    const accented = 'caf\u00e9/\uff21';
    expect(await plan([e(accented), e(emoji), e(low), e(high)], [e(emoji), e(high)], { delete: true })).toEqual([
      `copy ${accented} missing-in-target`,
      `skip ${emoji} target-not-older`,
      `copy ${low} missing-in-target`,
      `skip ${high} target-not-older`,
    ]);
    expect(await plan([e(high)], [e(low), e(high)], { delete: true })).toEqual([`delete ${low} missing-in-source`, `skip ${high} target-not-older`]);
  });

  it('fails loudly on an out-of-order or duplicated listing', async () => {
    await expect(plan([e('b'), e('a')], [])).rejects.toBeInstanceOf(ListingOrderError);
    await expect(plan([], [e('a'), e('a')])).rejects.toThrow(/target listing is out of order/);
    // UTF-16 order would accept this; UTF-8 byte order does not.
    await expect(plan([e('😀'), e('\uffff')], [])).rejects.toThrow(/source listing is out of order/);
  });

  it('does not mutate the entries it is given', async () => {
    const source = [Object.freeze(e('a', 2))];
    const target = [Object.freeze(e('a', 1))];
    expect(await plan(source, target)).toEqual(['update a size-differs']);
  });
});
