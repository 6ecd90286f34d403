/*
 * The table of side changes a key can have between two bisync runs, and what both sides must hold
 * after the run (keep-both for conflicts); shared by the local ⇄ S3 and S3 ⇄ S3 tables.
 */

import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { getObjectBytes, listObjects } from './s3.js';

/** The day conflict copies are named after (the tests pass a clock of that day). */
export const DAY = '2026-11-22';

export type Change = 'unchanged' | 'changed' | 'deleted' | 'new' | 'absent';

/**
 * Every pair of side changes a key can have: both in the baseline ({unchanged, changed, deleted}
 * on each side), or neither (new on one side, on both with equal or different contents).
 */
export const CASES: readonly { readonly one: Change; readonly two: Change; readonly same?: boolean }[] = [
  ...(['unchanged', 'changed', 'deleted'] as const).flatMap((one) => (['unchanged', 'changed', 'deleted'] as const).map((two) => ({ one, two }))),
  { one: 'changed', two: 'changed', same: true },
  { one: 'new', two: 'absent' },
  { one: 'absent', two: 'new' },
  { one: 'new', two: 'new', same: true },
  { one: 'new', two: 'new' },
];

export const caseKey = (c: (typeof CASES)[number]): string => `${c.one}-${c.two}${c.same === true ? '-same' : ''}.txt`;

/** What both sides must hold after the run, for one case (keep-both for conflicts). */
export function expected(c: (typeof CASES)[number]): Record<string, string> {
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

/** A local tree as key → content. */
export async function localContents(root: string): Promise<Record<string, string>> {
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
export async function remoteContents(bucket: string, prefix = 'data/'): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const key of [...(await listObjects(bucket, prefix)).keys()].sort()) out[key.slice(prefix.length)] = (await getObjectBytes(bucket, key)).toString('utf8');
  return out;
}
