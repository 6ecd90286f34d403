import fc from 'fast-check';
import { createSyncer, type Action, type Shard } from 's3kit';
import { describe, expect, it } from 'vitest';
import { propertyBudget } from '../properties/parameters.js';
import { tempDir, writeTree } from '../helpers/files.js';
import { runMain, stubTestCredentials } from '../helpers/in-process.js';
import { createTestBucket, getObjectBytes, listObjects, putObject, syncOptions } from '../helpers/s3.js';

/*
 * Shards (`shard`, `--shard i/n`): N processes together do exactly one run's work. The property:
 * for any source and target and any N, the shards' plans are disjoint and together equal the
 * unsharded plan, deletes included.
 */

const budget = propertyBudget();

async function planOf(source: string, target: string, shard: Shard | undefined): Promise<string[]> {
  const actions: string[] = [];
  for await (const action of createSyncer(syncOptions(source, target, { delete: true, ...(shard === undefined ? {} : { shard }) })).plan()) {
    if (action.type !== 'skip') actions.push(actionText(action));
  }
  return actions;
}

function actionText(action: Action): string {
  return `${action.type} ${action.key}`;
}

const keyName = fc.stringMatching(/^[a-z0-9é _.-]{1,8}$/).filter((name) => name !== '.' && name !== '..' && name.trim() === name);
const keyPath = fc.array(keyName, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('/'));

describe('shards', () => {
  it(
    'together plan exactly what one run plans: every action in one shard, none in two',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.uniqueArray(keyPath, { minLength: 0, maxLength: 25 }),
          fc.uniqueArray(keyPath, { minLength: 0, maxLength: 25 }),
          fc.integer({ min: 1, max: 5 }),
          async (sourceKeys, targetKeys, count) => {
            // A key may not be both a file and a folder on one side.
            const fileSet = (keys: string[]): string[] => keys.filter((key) => !keys.some((other) => other.startsWith(`${key}/`)));
            const root = await tempDir('shards-source');
            await writeTree(root, Object.fromEntries(fileSet(sourceKeys).map((key) => [key, `s ${key}`])));
            const bucket = await createTestBucket('shards');
            for (const key of fileSet(targetKeys)) await putObject(bucket, key, `t ${key} longer`);
            const whole = await planOf(root, `s3://${bucket}`, undefined);
            const parts = await Promise.all(Array.from({ length: count }, (_, index) => planOf(root, `s3://${bucket}`, { index, count })));
            expect(parts.flat().sort()).toEqual([...whole].sort());
            expect(new Set(parts.flat()).size).toBe(parts.flat().length);
          },
        ),
        budget.parameters(4),
      );
    },
    budget.testTimeoutMs,
  );

  it('three processes with --shard i/3 and --delete do one mirror: each key sent once, the deletes done once', async () => {
    stubTestCredentials();
    const root = await tempDir('shards-cli');
    const files = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`d${i % 4}/f${String(i).padStart(2, '0')}.txt`, `content ${i}`]));
    await writeTree(root, files);
    const bucket = await createTestBucket('shards-cli');
    for (let i = 0; i < 9; i++) await putObject(bucket, `stale/s${i}.txt`, 'old');
    const runs = await Promise.all(
      [0, 1, 2].map((index) => runMain(['sync', root, `s3://${bucket}`, '--delete', '--shard', `${index}/3`, '--json'])),
    );
    for (const run of runs) expect(run.code).toBe(0);
    const summaries = runs.map((run) => JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { summary?: unknown } & Record<string, unknown>);
    const copied = summaries.map((summary) => ((summary.summary ?? summary) as { copied: { count: number } }).copied.count);
    const deleted = summaries.map((summary) => ((summary.summary ?? summary) as { deleted: { count: number } }).deleted.count);
    expect(copied.reduce((a, b) => a + b, 0)).toBe(60);
    expect(deleted.reduce((a, b) => a + b, 0)).toBe(9);
    expect(copied.every((count) => count > 0)).toBe(true); // the work was split, not done by one
    expect([...(await listObjects(bucket)).keys()].sort()).toEqual(Object.keys(files).sort());
    expect((await getObjectBytes(bucket, 'd1/f05.txt')).toString()).toBe('content 5');
  });

  it('refuses a bad --shard with exit 2 naming the flag', async () => {
    const root = await tempDir('shards-bad');
    const bad = await runMain(['sync', root, 's3://any-bucket', '--shard', '3/3']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--shard.index must be a whole number from 0 to 2/);
    const auto = await runMain(['sync', root, 's3://any-bucket', '--shard', 'auto'], { env: { PATH: process.env.PATH } });
    expect(auto.code).toBe(2);
    expect(auto.stderr).toMatch(/neither JOB_COMPLETION_INDEX/);
  });
});

