import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { s3kit } from '../helpers/cli.js';
import { tempDir, writeTree } from '../helpers/files.js';
import { createTestBucket, testClient } from '../helpers/s3.js';

const KiB = 1024;

async function classes(bucket: string, prefix: string): Promise<Record<string, string | undefined>> {
  const listed = await testClient().send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return Object.fromEntries((listed.Contents ?? []).map((object) => [object.Key!.slice(prefix.length), object.StorageClass]));
}

describe('s3kit --storage-class-rule', () => {
  let bucket: string;
  let root: string;
  const rules = ['--storage-class-rule', 'include=*.bin,minSize=128KiB,class=STANDARD_IA', '--storage-class-rule', 'include=*.tar,class=GLACIER'];

  beforeAll(async () => {
    bucket = await createTestBucket('cli-classes');
    root = await tempDir('cli-classes');
    await writeTree(root, { 'big.bin': Buffer.alloc(200 * KiB, 1), 'small.bin': 'small', 'old.tar': 'tar' });
  });

  it('sync writes each file in the class of its first matching rule, prints the chosen class and rule in --json events, and warns about GLACIER', async () => {
    const result = await s3kit(['sync', root, `s3://${bucket}/sync/`, ...rules, '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(await classes(bucket, 'sync/')).toEqual({ 'big.bin': 'STANDARD_IA', 'small.bin': 'STANDARD', 'old.tar': 'GLACIER' });
    const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { event?: string; key: string; storageClass?: string; storageClassRule?: number });
    const ends = events.filter((event) => event.event === 'transferEnd');
    expect(Object.fromEntries(ends.map((event) => [event.key, [event.storageClass, event.storageClassRule]]))).toEqual({
      'big.bin': ['STANDARD_IA', 0],
      'small.bin': [undefined, undefined],
      'old.tar': ['GLACIER', 1],
    });
    expect(result.stdout + result.stderr).toMatch(/storageClassRules\[1\].*GLACIER.*restore/);
  });

  it('refuses a rule that may put objects under 128 KiB in STANDARD_IA (exit 2), and accepts it with force', async () => {
    const refused = await s3kit(['sync', root, `s3://${bucket}/refused/`, '--storage-class-rule', 'include=*.bin,class=STANDARD_IA']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/storageClassRules\[0\]\.minSize is not set.*128 KiB.*STANDARD_IA/);
    expect(refused.stderr).toMatch(/That is the 1st --storage-class-rule/);
    expect(await classes(bucket, 'refused/')).toEqual({});
    const forced = await s3kit(['sync', root, `s3://${bucket}/forced/`, '--storage-class-rule', 'include=*.bin,class=STANDARD_IA,force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(await classes(bucket, 'forced/')).toMatchObject({ 'big.bin': 'STANDARD_IA', 'small.bin': 'STANDARD_IA' });
  });

  it('refuses a rule written wrong, naming the field (exit 2)', async () => {
    const result = await s3kit(['sync', root, `s3://${bucket}/bad/`, '--storage-class-rule', 'include=*.bin,size=1,class=GLACIER']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown field "size"/);
  });

  it('plan --json records the rules and each action’s class; apply writes them', async () => {
    const dir = await tempDir('cli-classes-plan');
    const saved = await s3kit(['plan', root, `s3://${bucket}/planned/`, ...rules, '--json']);
    expect(saved.code, saved.stderr).toBe(0);
    const lines = saved.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, any>);
    expect(lines[0]!.settings.storageClassRules).toEqual([
      { include: '*.bin', minSize: '128KiB', storageClass: 'STANDARD_IA' },
      { include: '*.tar', storageClass: 'GLACIER' },
    ]);
    expect(lines.find((line) => line.action?.key === 'big.bin')!.action).toMatchObject({ storageClass: 'STANDARD_IA', storageClassRule: 0 });
    const table = await s3kit(['plan', root, `s3://${bucket}/planned/`, ...rules]);
    expect(table.stdout).toMatch(/big\.bin  \(missing-in-target\) → STANDARD_IA \(rule 0\)\n/);
    expect(table.stdout).toMatch(/old\.tar  \(missing-in-target\) → GLACIER \(rule 1\)\n/);
    expect(table.stdout).toMatch(/small\.bin  \(missing-in-target\)\n/);
    const planFile = join(dir, 'plan.ndjson');
    await writeFile(planFile, saved.stdout);
    const applied = await s3kit(['apply', planFile]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(await classes(bucket, 'planned/')).toEqual({ 'big.bin': 'STANDARD_IA', 'small.bin': 'STANDARD', 'old.tar': 'GLACIER' });
  });
});
