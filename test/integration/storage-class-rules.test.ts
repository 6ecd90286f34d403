import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSyncer, PlanMismatchError, type Action } from 's3kit';
import { createTestBucket, putObject, syncOptions, testClient } from '../helpers/s3.js';
import { setMtime, tempDir, writeTree } from '../helpers/files.js';

const KiB = 1024;
const DAY = 86_400_000;

/** Key → storage class as the server lists it (radosgw lists STANDARD too). */
async function classes(bucket: string, prefix: string): Promise<Record<string, string | undefined>> {
  const listed = await testClient().send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return Object.fromEntries((listed.Contents ?? []).map((object) => [object.Key!.slice(prefix.length), object.StorageClass]));
}

describe('storageClassRules against radosgw', () => {
  let bucket: string;
  let root: string;

  beforeAll(async () => {
    bucket = await createTestBucket('storage-rules');
    root = await tempDir('storage-rules');
    await writeTree(root, {
      'video/old.mp4': Buffer.alloc(200 * KiB, 1),
      'video/new.mp4': Buffer.alloc(200 * KiB, 2),
      'video/tiny.mp4': Buffer.alloc(10 * KiB, 3),
      'backups/2020.tar': 'archived',
      'notes.txt': 'plain',
    });
    const old = Date.now() - 40 * DAY;
    await setMtime(`${root}/video/old.mp4`, new Date(old));
    await setMtime(`${root}/video/tiny.mp4`, new Date(old));
  });

  const rules = [
    { include: '*.mp4', minSize: '128KiB', olderThan: '30d', storageClass: 'STANDARD_IA' },
    { include: 'backups/*', storageClass: 'GLACIER' },
  ];

  it('uploads each file in the class of the first matching rule, else upload.storageClass; events carry class and rule', async () => {
    const syncer = createSyncer(syncOptions(root, `s3://${bucket}/up/`, { storageClassRules: rules, upload: { storageClass: 'ONEZONE_IA' } }));
    const ended: Record<string, [string | undefined, number | undefined]> = {};
    const warnings: string[] = [];
    syncer.on('transferEnd', ({ action }) => (ended[action.key] = [action.storageClass, action.storageClassRule]));
    syncer.on('warning', (warning) => warnings.push(warning.code));
    const summary = await syncer.run();
    expect(summary.failedCount).toBe(0);
    expect(warnings).toEqual(['archived-storage-class']);
    expect(ended).toEqual({
      'video/old.mp4': ['STANDARD_IA', 0],
      'video/new.mp4': ['ONEZONE_IA', undefined],
      'video/tiny.mp4': ['ONEZONE_IA', undefined],
      'backups/2020.tar': ['GLACIER', 1],
      'notes.txt': ['ONEZONE_IA', undefined],
    });
    expect(await classes(bucket, 'up/')).toEqual({
      'video/old.mp4': 'STANDARD_IA',
      'video/new.mp4': 'ONEZONE_IA',
      'video/tiny.mp4': 'ONEZONE_IA',
      'backups/2020.tar': 'GLACIER',
      'notes.txt': 'ONEZONE_IA',
    });
  });

  it('S3 → S3: a matching rule sets the class, an unmatched copy keeps its source class', async () => {
    await putObject(bucket, 'src/a.mp4', Buffer.alloc(200 * KiB, 4), { StorageClass: 'GLACIER_IR' });
    await putObject(bucket, 'src/b.txt', 'b', { StorageClass: 'GLACIER_IR' });
    // LastModified is now: an age condition would not match, so the rule here is by size only.
    const syncer = createSyncer(syncOptions(`s3://${bucket}/src/`, `s3://${bucket}/copy/`, { storageClassRules: [{ include: '*.mp4', minSize: '128KiB', storageClass: 'STANDARD_IA' }] }));
    const summary = await syncer.run();
    expect(summary.failedCount).toBe(0);
    expect(await classes(bucket, 'copy/')).toEqual({ 'a.mp4': 'STANDARD_IA', 'b.txt': 'GLACIER_IR' });
  });

  it('a plan records the chosen class; applying it after the choice changed writes nothing', async () => {
    const planned: Action[] = [];
    const options = syncOptions(root, `s3://${bucket}/planned/`, { storageClassRules: rules });
    for await (const action of createSyncer(options).plan()) planned.push(action);
    expect(planned.find((action) => action.key === 'video/old.mp4')).toMatchObject({ type: 'copy', storageClass: 'STANDARD_IA', storageClassRule: 0 });
    // The same files under other rules: the plan's classes no longer hold.
    const changed = createSyncer({ ...options, storageClassRules: [{ include: '*.mp4', minSize: '128KiB', storageClass: 'GLACIER_IR' }] });
    const run = changed.run({ expectedPlan: (async function* () { yield* planned; })() });
    await expect(run).rejects.toThrow(PlanMismatchError);
    await expect(run).rejects.toThrow(/backups\/2020\.tar[\s\S]*writes it as GLACIER \(storageClassRules\[1\]\), but it would now be written as the default storage class/);
    expect(await classes(bucket, 'planned/')).toEqual({});
  });
});
