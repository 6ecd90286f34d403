import { readBatchReport } from 's3kit/admin';
import { describe, expect, it } from 'vitest';
import { tempDir, writeTree } from '../helpers/files.js';
import { runMain, stubTestCredentials } from '../helpers/in-process.js';
import { createTestBucket, putObject, testClient } from '../helpers/s3.js';

/*
 * The parts of S3 Batch Operations a real server can check: the manifest s3kit plan writes from
 * real listings, and reading a completion report back from a bucket (the report files written
 * here as the documentation shows them; radosgw has no Batch Operations to write them).
 */

describe('s3kit plan --format s3-batch-manifest', () => {
  it('lists the objects an S3 → S3 sync would copy, one CSV line each, and names the TargetKeyPrefix', async () => {
    stubTestCredentials();
    const source = await createTestBucket('batch-src');
    const target = await createTestBucket('batch-dst');
    await putObject(source, 'archive/a.txt', 'A');
    await putObject(source, 'archive/b c.txt', 'B');
    await putObject(source, 'archive/same.txt', 'S');
    await putObject(target, 'copies/archive/same.txt', 'S');
    await putObject(target, 'copies/archive/old.txt', 'O');
    const planned = await runMain(['plan', `s3://${source}/archive/`, `s3://${target}/copies/archive/`, '--delete', '--format', 's3-batch-manifest']);
    expect(planned.code).toBe(0);
    expect(planned.stdout).toBe(`${source},archive/a.txt\n${source},archive/b+c.txt\n`);
    expect(planned.stderr).toContain(`2 object(s) in the manifest. Upload it, then: s3kit batch submit --manifest s3://BUCKET/KEY --target s3://${target}/copies/`);
    expect(planned.stderr).toContain('warning: 1 delete(s) of the plan are not in the manifest');
  });

  it('refuses a mapping a copy job cannot do, and a local source (exit 2)', async () => {
    stubTestCredentials();
    const source = await createTestBucket('batch-src-bad');
    await putObject(source, 'archive/a.txt', 'A');
    const moved = await runMain(['plan', `s3://${source}/archive/`, `s3://${source}/elsewhere/`, '--format', 's3-batch-manifest']);
    expect(moved.code).toBe(2);
    expect(moved.stderr).toMatch(/keeps each key whole/);
    const dir = await tempDir('batch-local');
    await writeTree(dir, { 'x.txt': 'x' });
    const local = await runMain(['plan', dir, `s3://${source}/up/`, '--format', 's3-batch-manifest']);
    expect(local.code).toBe(2);
    expect(local.stderr).toMatch(/the source must be s3:\/\/… or a copy list/);
  });
});

describe('readBatchReport', () => {
  it('counts succeeded and failed tasks from the result files and decodes the keys', async () => {
    const reports = await createTestBucket('batch-report');
    const job = 'a1b2c3';
    await putObject(reports, `reports/job-${job}/manifest.json`, JSON.stringify({ Format: 'Report_CSV_20180820', Results: [] }));
    await putObject(
      reports,
      `reports/job-${job}/results/part-1.csv`,
      'src,archive/a.txt,,succeeded,200,,Successful\nsrc,archive/b+c.txt,,failed,403,AccessDenied,"Access Denied, check the role"\n',
    );
    // In the documented schema's order (ErrorCode, then HTTPStatusCode) too.
    await putObject(reports, `reports/job-${job}/results/part-2.csv`, 'src,archive/d.txt,,succeeded,200,,Successful\nsrc,archive/e.txt,,failed,NoSuchKey,404,Not found\n');
    const summary = await readBatchReport(testClient(), { kind: 's3', bucket: reports, prefix: 'reports/' }, job);
    expect(summary).toEqual({
      succeeded: 2,
      failed: 2,
      failures: [
        { bucket: 'src', key: 'archive/b c.txt', errorCode: 'AccessDenied', httpStatus: 403, message: 'Access Denied, check the role' },
        { bucket: 'src', key: 'archive/e.txt', errorCode: 'NoSuchKey', httpStatus: 404, message: 'Not found' },
      ],
    });
  });
});

