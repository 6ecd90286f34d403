import { readdir, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { BisyncRefusedError, createBisyncer, type BisyncOptions, type BisyncSummary, type ConflictPolicy } from 's3kit';
import { connection, createTestBucket, getObjectBytes, listObjects, putObject, testClient } from '../helpers/s3.js';
import { tempDir, writeTree } from '../helpers/files.js';

const DAY = '2026-11-22';
const NOW = new Date(`${DAY}T12:00:00Z`);

/** A local directory, a bucket prefix and a state directory for one pair. */
async function pair(label: string): Promise<{ local: string; bucket: string; remote: string; state: string }> {
  const bucket = await createTestBucket(`bisync-${label}`);
  return { local: await tempDir(`bisync-${label}`), bucket, remote: `s3://${bucket}/data/`, state: await tempDir(`bisync-state-${label}`) };
}

function options(path1: string, path2: string, state: string, extra: Partial<BisyncOptions> = {}): BisyncOptions {
  return { path1, path2, stateDirectory: state, ...connection(), now: () => NOW, ...extra };
}

function bisync(path1: string, path2: string, state: string, extra: Partial<BisyncOptions> = {}): Promise<BisyncSummary> {
  return createBisyncer(options(path1, path2, state, extra)).run();
}

/** A local tree as key → content. */
async function localContents(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else out[relative(root, path).split('\\').join('/')] = await readFile(path, 'utf8');
    }
  };
  await walk(root);
  return out;
}

/** The objects under `prefix` as key (without the prefix) → content. */
async function remoteContents(bucket: string, prefix = 'data/'): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const key of [...(await listObjects(bucket, prefix)).keys()].sort()) out[key.slice(prefix.length)] = (await getObjectBytes(bucket, key)).toString('utf8');
  return out;
}

function sorted(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

type Change = 'unchanged' | 'changed' | 'deleted' | 'new' | 'absent';

/**
 * Every pair of side changes a key can have: both in the baseline ({unchanged, changed, deleted}
 * on each side), or neither (new on one side, on both with equal or different contents).
 */
const CASES: readonly { readonly one: Change; readonly two: Change; readonly same?: boolean }[] = [
  ...(['unchanged', 'changed', 'deleted'] as const).flatMap((one) => (['unchanged', 'changed', 'deleted'] as const).map((two) => ({ one, two }))),
  { one: 'changed', two: 'changed', same: true },
  { one: 'new', two: 'absent' },
  { one: 'absent', two: 'new' },
  { one: 'new', two: 'new', same: true },
  { one: 'new', two: 'new' },
];

const caseKey = (c: (typeof CASES)[number]): string => `${c.one}-${c.two}${c.same === true ? '-same' : ''}.txt`;

/** What both sides must hold after the run, for one case (keep-both for conflicts). */
function expected(c: (typeof CASES)[number]): Record<string, string> {
  const key = caseKey(c);
  const conflictKey = key.replace(/\.txt$/, `.conflict-path2-${DAY}.txt`);
  const v1 = c.same === true ? `same ${key}` : `path1 edit of ${key}`;
  const v2 = c.same === true ? `same ${key}` : `path2 edit of ${key}!`;
  const original = `original ${key}`;
  const { one, two } = c;
  if (one === 'unchanged' && two === 'unchanged') return { [key]: original };
  if (one === 'deleted' || two === 'deleted') {
    if (one === 'changed') return { [key]: v1 };
    if (two === 'changed') return { [key]: v2 };
    return {};
  }
  if (one === 'changed' && two === 'unchanged') return { [key]: v1 };
  if (one === 'unchanged' && two === 'changed') return { [key]: v2 };
  if (one === 'new' && two === 'absent') return { [key]: v1 };
  if (one === 'absent' && two === 'new') return { [key]: v2 };
  // changed or new on both
  return c.same === true ? { [key]: v1 } : { [key]: v1, [conflictKey]: v2 };
}

describe('bisync local ⇄ S3: every pair of side changes', () => {
  it('propagates one-sided changes and deletes, keeps changed over deleted, keeps both versions of a conflict', async () => {
    const { local, bucket, remote, state } = await pair('table');
    const inBaseline = CASES.filter((c) => c.one !== 'new' && c.one !== 'absent');
    await writeTree(local, Object.fromEntries(inBaseline.map((c) => [caseKey(c), `original ${caseKey(c)}`])));
    const first = await bisync(local, remote, state, { resync: true });
    expect(first.failedCount).toBe(0);
    expect(first.copiedToPath2.count).toBe(inBaseline.length);
    expect(sorted(await remoteContents(bucket))).toEqual(sorted(await localContents(local)));

    for (const c of CASES) {
      const key = caseKey(c);
      const v1 = c.same === true ? `same ${key}` : `path1 edit of ${key}`;
      const v2 = c.same === true ? `same ${key}` : `path2 edit of ${key}!`;
      if (c.one === 'changed' || c.one === 'new') await writeFile(join(local, key), v1);
      if (c.one === 'deleted') await unlink(join(local, key));
      if (c.two === 'changed' || c.two === 'new') await putObject(bucket, `data/${key}`, v2);
      if (c.two === 'deleted') await testClient().send(new DeleteObjectCommand({ Bucket: bucket, Key: `data/${key}` }));
    }
    const conflicts: string[] = [];
    const bisyncer = createBisyncer(options(local, remote, state, { maxDelete: '100%' }));
    bisyncer.on('conflict', (event) => conflicts.push(`${event.conflict.key} ${event.choice} ${event.conflictKey ?? ''}`));
    const second = await bisyncer.run();
    expect(second.failures).toEqual([]);
    expect(second.deletesSkipped).toEqual([]);

    const want = sorted(Object.assign({}, ...CASES.map(expected)) as Record<string, string>);
    expect(sorted(await localContents(local))).toEqual(want);
    expect(sorted(await remoteContents(bucket))).toEqual(want);
    expect(conflicts.sort()).toEqual([
      `changed-changed.txt keep-both changed-changed.conflict-path2-${DAY}.txt`,
      `new-new.txt keep-both new-new.conflict-path2-${DAY}.txt`,
    ]);

    // A third run finds nothing to do: the baseline recorded every outcome.
    const third = await bisync(local, remote, state);
    expect(third.copiedToPath1.count + third.copiedToPath2.count + third.deletedInPath1.count + third.deletedInPath2.count + third.conflictCount).toBe(0);
    expect(third.unchanged).toBe(Object.keys(want).length);
  });
});
