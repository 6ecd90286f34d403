import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runMain, stubTestCredentials } from '../helpers/in-process.js';
import { createTestBucket, putObject } from '../helpers/s3.js';

/* s3kit report usage, in-process against radosgw: a real bucket with objects of varied sizes. */

beforeAll(() => {
  stubTestCredentials();
});
afterAll(() => vi.unstubAllEnvs());

describe('s3kit report usage', () => {
  it('bytes and objects per prefix at --depth, as --json and --csv, under a prefix', async () => {
    const bucket = await createTestBucket('report-usage');
    await putObject(bucket, 'data/logs/2026/a.log', Buffer.alloc(1000));
    await putObject(bucket, 'data/logs/2026/b.log', Buffer.alloc(2500));
    await putObject(bucket, 'data/img/x.png', Buffer.alloc(70_000));
    await putObject(bucket, 'data/top.txt', 'hello');
    await putObject(bucket, 'elsewhere/ignored', Buffer.alloc(9));

    const json = await runMain(['report', 'usage', `s3://${bucket}/data/`, '--depth', '1', '--json']);
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as { totals: unknown; prefixes: { prefix: string; bytes: number; objects: number; byClass: Record<string, unknown> }[] };
    expect(report.totals).toEqual({ bytes: 73_505, objects: 4 });
    expect(report.prefixes.map((p) => [p.prefix, p.bytes, p.objects])).toEqual([
      ['img/', 70_000, 1],
      ['logs/', 3500, 2],
      ['', 5, 1],
    ]);
    expect(report.prefixes[1]?.byClass).toEqual({ STANDARD: { bytes: 3500, objects: 2 } });

    const csv = await runMain(['report', 'usage', `s3://${bucket}/data/`, '--depth', '2', '--csv']);
    expect(csv.code).toBe(0);
    expect(csv.stdout).toBe('prefix,storage_class,age_band,bytes,objects\nimg/,STANDARD,<30d,70000,1\nlogs/2026/,STANDARD,<30d,3500,2\n,STANDARD,<30d,5,1\n');

    const text = await runMain(['report', 'usage', `s3://${bucket}`, '--depth', '1']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/data\/\s+73\.5 ?KB|data\/\s+71\.8 ?KiB/);
    expect(text.stdout).toMatch(/total\s.*5 objects/);
  });

  it('a missing bucket exits 2', async () => {
    const r = await runMain(['report', 'usage', 's3://s3kit-no-such-bucket-xyz']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/s3kit-no-such-bucket-xyz/);
  });
});
