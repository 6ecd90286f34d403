import { describe, expect, it } from 'vitest';
import { deleteGate, type DeleteGateInput } from '../../src/syncer/delete-gate.js';

const base: DeleteGateInput = { planned: 5, done: 0, failedCount: 0, incompleteListing: false, targetCount: 100, sourceCount: 50, maxDelete: undefined, dryRun: false, aborted: false };

describe('deleteGate', () => {
  it.each<[string, Partial<DeleteGateInput>, ReturnType<typeof deleteGate>]>([
    ['runs when all is well', {}, { run: true, dryRun: false }],
    ['runs as a dry run', { dryRun: true }, { run: true, dryRun: true }],
    ['has nothing to do without planned deletes', { planned: 0, failedCount: 3 }, { run: false, reason: 'nothing-to-delete' }],
    [
      'skips after a failed transfer',
      { failedCount: 2, incompleteListing: true },
      { run: false, reason: 'failures', count: 5, message: '5 delete(s) skipped because 2 transfer(s) failed.' },
    ],
    [
      'skips after an incomplete listing',
      { incompleteListing: true, maxDelete: 0 },
      { run: false, reason: 'incomplete-listing', count: 5, message: '5 delete(s) skipped because part of the source could not be read.' },
    ],
    [
      'refuses more than a count',
      { maxDelete: 4 },
      { run: false, reason: 'max-delete', count: 5, message: '5 delete(s) refused: more than maxDelete 4 (4 of 100 target keys).' },
    ],
    [
      'refuses to mirror an empty source without maxDelete',
      { sourceCount: 0, targetCount: 5 },
      {
        run: false,
        reason: 'empty-source',
        count: 5,
        message:
          '5 delete(s) refused: the source is empty (an unmounted drive, a wrong path or prefix?), and deleting every target key is not done without maxDelete (--max-delete 100% to mean it).',
      },
    ],
    ['mirrors an empty source when maxDelete allows it', { sourceCount: 0, targetCount: 5, maxDelete: '100%' }, { run: true, dryRun: false }],
    [
      'checks failures before an empty source',
      { sourceCount: 0, failedCount: 1 },
      { run: false, reason: 'failures', count: 5, message: '5 delete(s) skipped because 1 transfer(s) failed.' },
    ],
    ['allows exactly the count', { maxDelete: 5 }, { run: true, dryRun: false }],
    [
      'refuses more than a percentage of the target',
      { maxDelete: '4%' },
      { run: false, reason: 'max-delete', count: 5, message: '5 delete(s) refused: more than maxDelete 4% (4 of 100 target keys).' },
    ],
    ['allows a percentage that covers them', { maxDelete: '5%' }, { run: true, dryRun: false }],
    [
      'says what an interruption left undone',
      { aborted: true, done: 2, failedCount: 1 },
      { run: false, reason: 'aborted', count: 3, message: 'The run was interrupted; no deletes were made after the interruption.' },
    ],
    ['is quiet about an interruption after every delete', { aborted: true, done: 5 }, { run: false, reason: 'nothing-to-delete' }],
  ])('%s', (_name, change, verdict) => {
    expect(deleteGate({ ...base, ...change })).toEqual(verdict);
  });
});
