import { describe, expect, it } from 'vitest';
import { ConfigError, KeyFilter, memoryStore, type Action, type Entry } from 's3kit';
import { uploadStateKey } from '../../src/transfer/multipart-file-upload.js';
import type { OptionSpec, SyncCase } from './arbitraries.js';
import { checkAll, checkCleanRefusal, checkConverged, checkDeletes, checkMultipartRecorded, checkNoPartialFiles, checkOutsideUnchanged } from './invariants.js';
import type { Observation, World } from './scenario.js';
import type { LocalNode, LocalSnapshot, SourceContents } from './snapshot.js';

/**
 * The checkers themselves, on hand-made worlds (an S3 source, a local destination): each one
 * flags the violation planted for it and passes the clean world, so a green property run means
 * the invariants held, not that a checker looked away.
 */

const file = (hash: string, size = 1): LocalNode => ({ type: 'file', size, hash });
const dir: LocalNode = { type: 'dir', size: 0 };
const entry = (key: string): Entry => ({ key, size: 1, mtimeMs: 0 });

const OPTIONS: OptionSpec = { delete: true, deleteExcluded: false, compare: 'size-mtime', ignorePatterns: [], rules: [], state: 'none', concurrency: 1 };

function observation(extra: Partial<Observation> = {}): Observation {
  return {
    refused: undefined,
    error: undefined,
    summary: undefined,
    aborted: false,
    planned: [],
    planComplete: true,
    failures: [],
    warnings: [],
    deleted: [],
    transfersEnded: 0,
    rewritten: new Map(),
    uploadsCreatedInFlight: new Set(),
    ...extra,
  };
}

/** Source `a` (hash A); destination before: `dest/old` and `outside/o1`. */
function world(change: { after?: [string, LocalNode | undefined][]; observation?: Partial<Observation>; source?: Partial<SourceContents> } = {}): World {
  const before: LocalSnapshot = new Map([
    ['dest', dir],
    ['dest/old', file('OLD')],
    ['outside', dir],
    ['outside/o1', file('O1')],
  ]);
  const after: LocalSnapshot = new Map(before);
  after.set('dest/a', file('A'));
  after.delete('dest/old');
  for (const [path, node] of change.after ?? []) {
    if (node === undefined) after.delete(path);
    else after.set(path, node);
  }
  const planned: Action[] = [
    { type: 'copy', key: 'a', reason: 'missing-in-target', source: entry('a') },
    { type: 'delete', key: 'old', reason: 'missing-in-source', target: entry('old') },
  ];
  return {
    syncCase: { direction: 's3-to-local', options: OPTIONS } as unknown as SyncCase,
    sandbox: '/nowhere',
    source: { kind: 's3', bucket: 'b', prefix: 'src/' },
    target: { kind: 'local', path: '/nowhere/dest' },
    buckets: [],
    state: undefined,
    faulty: false,
    filter: new KeyFilter({}),
    sourceContents: { files: new Map([['a', { hash: 'A', size: 1 }]]), markers: new Set(), unrepresentable: [], ...change.source },
    before: { local: before, buckets: new Map([['b', new Map()]]) },
    after: { local: after, buckets: new Map([['b', new Map()]]), uploads: new Map() },
    observation: observation({
      planned,
      transfersEnded: 1,
      deleted: [{ key: 'old', planComplete: true, plannedTransfers: 1, transfersEnded: 1, transferFailures: 0 }],
      ...change.observation,
    }),
  };
}

describe('invariant checkers', () => {
  it('pass a clean run', async () => {
    expect(await checkAll(world())).toEqual([]);
  });

  it('1: flag a change outside the destination, not inside it', () => {
    expect(checkOutsideUnchanged(world({ after: [['outside/o1', undefined]] }))).toHaveLength(1);
    expect(checkOutsideUnchanged(world({ after: [['dest/new-dir', dir]] }))).toEqual([]);
  });

  it('2: flag an unplanned disappearance and a delete before the transfers ended', () => {
    const unplanned = world({ observation: { planned: [{ type: 'copy', key: 'a', reason: 'missing-in-target', source: entry('a') }], deleted: [] } });
    expect(checkDeletes(unplanned).join()).toMatch(/"old" vanished from the destination without a planned delete/);
    const early = world({ observation: { deleted: [{ key: 'old', planComplete: true, plannedTransfers: 1, transfersEnded: 0, transferFailures: 0 }] } });
    expect(checkDeletes(early).join()).toMatch(/before every transfer succeeded/);
    const afterFailure = world({ observation: { failures: [{ key: 'a', transfer: true, code: 'X', message: 'x' }], transfersEnded: 0 } });
    expect(checkDeletes(afterFailure).join()).toMatch(/although not every transfer succeeded/);
  });

  it('3: flag a torn file and a leftover temp file, which an abort excuses', async () => {
    expect((await checkNoPartialFiles(world({ after: [['dest/a', file('TORN')]] }))).join()).toMatch(/not the source's/);
    const temp: [string, LocalNode] = ['dest/.s3kit-0123456789ab.part', file('PART')];
    expect(await checkNoPartialFiles(world({ after: [temp] }))).toHaveLength(1);
    expect(await checkNoPartialFiles(world({ after: [temp], observation: { aborted: true } }))).toEqual([]);
    expect(await checkNoPartialFiles(world({ after: [['dest/lnk', { type: 'symlink', size: 0, link: '/etc' }]] }))).toHaveLength(1);
  });

  it('4: flag an open multipart upload unless the state store records it', async () => {
    const open: World = { ...world(), after: { ...world().after, uploads: new Map([['b', [{ key: 'k', uploadId: 'u1' }]]]) } };
    expect(await checkMultipartRecorded(open)).toHaveLength(1);
    const state = memoryStore();
    await state.set(uploadStateKey('b', 'k'), { uploadId: 'u1' });
    expect(await checkMultipartRecorded({ ...open, state })).toEqual([]);
  });

  it('5: flag a source key missing at the destination, a silent skip, and a delete that should have run', async () => {
    expect((await checkConverged(world({ after: [['dest/a', undefined]] }))).join()).toMatch(/source key "a"/);
    const silent = world({ source: { unrepresentable: ['a\\xffb'] }, observation: { deleted: [] }, after: [['dest/old', file('OLD')]] });
    expect((await checkConverged(silent)).join()).toMatch(/passed over silently/);
    const kept = world({ observation: { deleted: [] }, after: [['dest/old', file('OLD')]] });
    expect((await checkConverged(kept)).join()).toMatch(/with delete, "old"/);
    expect(await checkConverged({ ...kept, faulty: true })).toEqual([]);
  });

  it('6: flag any change after a refusal', () => {
    const refused = world({ observation: { refused: new ConfigError('target', 'overlap'), deleted: [], transfersEnded: 0 } });
    expect(checkCleanRefusal(refused).length).toBeGreaterThan(0);
    const untouched: World = { ...refused, after: { ...refused.after, local: refused.before.local } };
    expect(checkCleanRefusal(untouched)).toEqual([]);
  });
});
