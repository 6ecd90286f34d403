import { mkdir, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createBisyncer, type BisyncOptions } from 's3kit';
import { tempDir } from '../helpers/files.js';
import { connection, createTestBucket, getObjectBytes, listObjects, putObject, testClient } from '../helpers/s3.js';
import { propertyBudget } from './parameters.js';

/*
 * Two-way sync loses no edit: random edits on both sides between runs (some runs cancelled part
 * way), then runs with the default policy (keep-both). After every completed run, each version
 * written since the last completed run (and not itself overwritten or deleted on its side before
 * that run) is on both sides, at its key or under a conflict name of it; after a final run both
 * sides are equal.
 */

const budget = propertyBudget();
beforeAll(() => {
  console.log(`[properties] bisync seed ${budget.seed} (replay: S3KIT_PROPERTY_SEED=${budget.seed})`);
});

const KEYS = ['a.txt', 'b.txt', 'd/c.txt', 'd/e'] as const;
type Side = 'path1' | 'path2';

interface Edit {
  readonly side: Side;
  readonly key: (typeof KEYS)[number];
  readonly op: 'write' | 'delete';
  readonly length: number;
}

interface Round {
  readonly edits: readonly Edit[];
  /** Cancel the run after this many ms (undefined: let it finish). */
  readonly abortAfterMs: number | undefined;
}

const edit: fc.Arbitrary<Edit> = fc.record({
  side: fc.constantFrom<Side>('path1', 'path2'),
  key: fc.constantFrom(...KEYS),
  op: fc.oneof({ weight: 3, arbitrary: fc.constant('write' as const) }, { weight: 1, arbitrary: fc.constant('delete' as const) }),
  length: fc.integer({ min: 0, max: 40 }),
});

const scenario = fc.record({
  initial: fc.array(edit.filter((e) => e.op === 'write'), { maxLength: 6 }),
  rounds: fc.array(fc.record({ edits: fc.array(edit, { maxLength: 6 }), abortAfterMs: fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined, freq: 3 }) }), {
    minLength: 1,
    maxLength: 4,
  }),
});

async function localContents(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (!entry.name.startsWith('.s3kit-')) out.set(relative(root, path), await readFile(path, 'utf8'));
    }
  };
  await walk(root);
  return out;
}

async function remoteContents(bucket: string, prefix: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const key of (await listObjects(bucket, prefix)).keys()) out.set(key.slice(prefix.length), (await getObjectBytes(bucket, key)).toString('utf8'));
  return out;
}

/** Whether `candidate` is `key` or a conflict name made from it. */
function isKeyOrConflictOf(candidate: string, key: string): boolean {
  if (candidate === key) return true;
  const slash = key.lastIndexOf('/');
  const name = key.slice(slash + 1);
  const dot = name.lastIndexOf('.');
  const stem = key.slice(0, slash + 1) + (dot > 0 ? name.slice(0, dot) : name);
  const extension = dot > 0 ? name.slice(dot) : '';
  return candidate.startsWith(`${stem}.conflict-`) && candidate.endsWith(extension);
}

describe('bisync properties', () => {
  it(
    'random edits on both sides and cancelled runs: no edit lost, both sides equal at the end',
    async () => {
      let counter = 0;
      await fc.assert(
        fc.asyncProperty(scenario, async ({ initial, rounds }) => {
          const local = await tempDir('bisync-prop');
          const state = await tempDir('bisync-prop-state');
          const bucket = await createTestBucket('bisync-prop');
          const prefix = 'p/';
          const options = (extra: Partial<BisyncOptions> = {}): BisyncOptions => ({
            path1: local,
            path2: `s3://${bucket}/${prefix}`,
            stateDirectory: state,
            ...connection(),
            maxDelete: '100%',
            force: true,
            ...extra,
          });
          /** Versions written since the last completed run and still where they were written. */
          const fresh = new Map<string, { key: string; content: string }>(); // `${side} ${key}` → version
          const apply = async (edits: readonly Edit[]): Promise<void> => {
            for (const e of edits) {
              const id = `${e.side} ${e.key}`;
              if (e.op === 'delete') {
                if (e.side === 'path1') await unlink(join(local, e.key)).catch(() => {});
                else await testClient().send(new DeleteObjectCommand({ Bucket: bucket, Key: prefix + e.key }));
                fresh.delete(id);
                continue;
              }
              const content = `v${++counter} ${e.side} ${'x'.repeat(e.length)}`;
              if (e.side === 'path1') {
                await mkdir(dirname(join(local, e.key)), { recursive: true });
                await writeFile(join(local, e.key), content);
              } else await putObject(bucket, prefix + e.key, content);
              fresh.set(id, { key: e.key, content });
            }
          };
          const assertNoEditLost = async (): Promise<void> => {
            const sides = [await localContents(local), await remoteContents(bucket, prefix)];
            for (const { key, content } of fresh.values()) {
              for (const [index, contents] of sides.entries()) {
                const found = [...contents].some(([candidate, value]) => value === content && isKeyOrConflictOf(candidate, key));
                expect(found, `${content} (${key}) is missing from path${index + 1}: ${JSON.stringify([...contents])}`).toBe(true);
              }
            }
          };
          try {
            await apply(initial);
            await createBisyncer(options({ resync: true })).run();
            await assertNoEditLost();
            fresh.clear();
            for (const round of rounds) {
              await apply(round.edits);
              if (round.abortAfterMs === undefined) {
                const summary = await createBisyncer(options()).run();
                expect(summary.failures).toEqual([]);
                await assertNoEditLost();
                fresh.clear();
              } else {
                // A cancelled run: whatever it did, the next completed run must still deliver every fresh edit.
                await createBisyncer(options())
                  .run({ signal: AbortSignal.timeout(round.abortAfterMs) })
                  .catch(() => {});
                // A version it delivered to both sides is synced: a later edit on either side may
                // replace it, as after a completed run. The others stay due.
                const sides = [await localContents(local), await remoteContents(bucket, prefix)];
                for (const [id, { key, content }] of fresh) {
                  if (sides.every((contents) => [...contents].some(([candidate, value]) => value === content && isKeyOrConflictOf(candidate, key)))) fresh.delete(id);
                }
              }
            }
            const last = await createBisyncer(options()).run();
            expect(last.failures).toEqual([]);
            await assertNoEditLost();
            const [one, two] = [await localContents(local), await remoteContents(bucket, prefix)];
            expect([...one].sort()).toEqual([...two].sort());
          } finally {
            await rm(local, { recursive: true, force: true });
            await rm(state, { recursive: true, force: true });
          }
        }),
        budget.parameters(8),
      );
    },
    budget.testTimeoutMs,
  );
});
