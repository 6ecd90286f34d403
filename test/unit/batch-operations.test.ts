import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateJobCommand, DescribeJobCommand, S3ControlClient } from '@aws-sdk/client-s3-control';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { batchManifestLine, batchTargetKeyPrefix, describeBatchJob, submitCopyJob } from '../../src/admin/index.js';
import { listManifest } from '../../src/listing/list-manifest.js';
import { tempDir } from '../helpers/files.js';
import { runMain } from '../helpers/in-process.js';

/*
 * S3 Batch Operations: radosgw has no S3 Control, so the requests are checked as sent, against
 * the documented shapes (CreateJob with S3PutObjectCopy, S3BatchOperations_CSV_20180820,
 * Report_CSV_20180820).
 */

const s3 = mockClient(S3Client);
const control = mockClient(S3ControlClient);
beforeEach(() => {
  s3.reset();
  control.reset();
});
afterEach(() => {
  s3.reset();
  control.reset();
});

const location = (bucket: string, prefix: string) => ({ kind: 's3', bucket, prefix }) as const;

describe('the Batch Operations manifest', () => {
  it.each([
    ['plain/key.txt', 'src,plain/key.txt'],
    ['a b+c/é,x.txt', 'src,a+b%2Bc/%C3%A9%2Cx.txt'],
    ["it's (1)*!~_.-", 'src,it%27s+%281%29%2A%21~_.-'],
  ])('encodes %j as quote_plus(key, safe="/") would', (key, line) => {
    expect(batchManifestLine('src', key)).toBe(line);
  });

  it('adds the version id as a third field', () => {
    expect(batchManifestLine('src', 'k', 'v1')).toBe('src,k,v1');
  });

  it('reads back, through the copy-list reader, as the same keys', async () => {
    const dir = await tempDir('batch-roundtrip');
    s3.on(HeadObjectCommand).resolves({ ContentLength: 1, ETag: '"e"', LastModified: new Date(0) });
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(
          fc.string({ minLength: 1, maxLength: 12, unit: 'binary' }).filter((key) => !key.endsWith('/') && !key.startsWith('/') && !key.split('/').includes('..') && !/[\r\n]/.test(key) && key.trim() === key && !key.startsWith('#')),
          { maxLength: 8 },
        ),
        async (keys) => {
          const path = join(dir, 'm.csv');
          await writeFile(path, keys.map((key) => `${batchManifestLine('src-bucket', key)}\n`).join(''));
          const read: string[] = [];
          for await (const entry of listManifest(path, { s3Client: new S3Client({ region: 'us-east-1' }) })) read.push(entry.key);
          expect(read.sort()).toEqual([...keys].sort());
        },
      ),
      { numRuns: 60 },
    );
  });

  it('maps a sync to a TargetKeyPrefix only when the target prefix ends with the source prefix', () => {
    expect(batchTargetKeyPrefix('archive/', 'copies/archive/')).toBe('copies/');
    expect(batchTargetKeyPrefix('', 'into/')).toBe('into/');
    expect(() => batchTargetKeyPrefix('archive/', 'elsewhere/')).toThrow(/keeps each key whole .* sync to a target prefix that ends with "archive\/"/);
  });
});

describe('submitCopyJob', () => {
  const options = {
    s3: new S3Client({ region: 'us-east-1' }),
    control: new S3ControlClient({ region: 'us-east-1' }),
    accountId: '123456789012',
    manifest: location('ops-bucket', 'manifests/archive.csv'),
    target: location('dst-bucket', 'copies/'),
    roleArn: 'arn:aws:iam::123456789012:role/batch-copy',
    report: location('ops-bucket', 'reports/'),
  };

  it('sends CreateJob with S3PutObjectCopy, the manifest ETag, a full report and a request token', async () => {
    s3.on(HeadObjectCommand, { Bucket: 'ops-bucket', Key: 'manifests/archive.csv' }).resolves({ ETag: '"0123abcd"' });
    control.on(CreateJobCommand).resolves({ JobId: 'job-1' });
    const job = await submitCopyJob(options);
    expect(job.jobId).toBe('job-1');
    const sent = control.commandCalls(CreateJobCommand)[0]!.args[0].input;
    expect(sent).toEqual({
      AccountId: '123456789012',
      ConfirmationRequired: false,
      Priority: 10,
      RoleArn: 'arn:aws:iam::123456789012:role/batch-copy',
      ClientRequestToken: expect.stringMatching(/^[0-9a-f]{64}$/),
      Description: 's3kit copy of s3://ops-bucket/manifests/archive.csv to s3://dst-bucket/copies/',
      Operation: { S3PutObjectCopy: { TargetResource: 'arn:aws:s3:::dst-bucket', TargetKeyPrefix: 'copies/', MetadataDirective: 'COPY' } },
      Manifest: {
        Spec: { Format: 'S3BatchOperations_CSV_20180820', Fields: ['Bucket', 'Key'] },
        Location: { ObjectArn: 'arn:aws:s3:::ops-bucket/manifests/archive.csv', ETag: '0123abcd' },
      },
      Report: { Enabled: true, Bucket: 'arn:aws:s3:::ops-bucket', Prefix: 'reports', Format: 'Report_CSV_20180820', ReportScope: 'AllTasks' },
    });
    expect(job.request).toEqual(sent);
  });

  it('sends the same token for the same manifest version, another for a changed manifest', async () => {
    control.on(CreateJobCommand).resolves({ JobId: 'job-1' });
    s3.on(HeadObjectCommand).resolves({ ETag: '"aaaa"' });
    const first = (await submitCopyJob(options)).request.ClientRequestToken;
    const again = (await submitCopyJob(options)).request.ClientRequestToken;
    s3.on(HeadObjectCommand).resolves({ ETag: '"bbbb"' });
    const changed = (await submitCopyJob(options)).request.ClientRequestToken;
    expect(again).toBe(first);
    expect(changed).not.toBe(first);
  });

  it.each([
    [{ accountId: '12345' }, /accountId must be the 12-digit AWS account id/],
    [{ roleArn: 'batch-copy' }, /roleArn must be an IAM role ARN/],
    [{ manifest: location('ops-bucket', 'manifests/') }, /manifest must name the manifest object itself/],
  ])('refuses %j before any request', async (change, message) => {
    await expect(submitCopyJob({ ...options, ...change })).rejects.toThrow(message);
    expect(control.commandCalls(CreateJobCommand)).toHaveLength(0);
  });
});

describe('describeBatchJob and s3kit batch status', () => {
  it('maps DescribeJob: status, progress, failure reasons, report location', async () => {
    control.on(DescribeJobCommand, { AccountId: '123456789012', JobId: 'job-9' }).resolves({
      Job: {
        Status: 'Failed',
        ProgressSummary: { TotalNumberOfTasks: 10, NumberOfTasksSucceeded: 7, NumberOfTasksFailed: 3 },
        FailureReasons: [{ FailureCode: 'TaskFailureThreshold', FailureReason: 'too many tasks failed' }],
        Report: { Enabled: true, Bucket: 'arn:aws:s3:::ops-bucket', Prefix: 'reports' },
      },
    });
    expect(await describeBatchJob({ accountId: '123456789012', jobId: 'job-9', control: new S3ControlClient({ region: 'us-east-1' }) })).toEqual({
      jobId: 'job-9',
      status: 'Failed',
      finished: true,
      totalTasks: 10,
      succeeded: 7,
      failed: 3,
      reasons: ['TaskFailureThreshold too many tasks failed'],
      report: { kind: 's3', bucket: 'ops-bucket', prefix: 'reports' },
    });
  });

  it('the CLI prints a running job and exits 0; needs --account-id', async () => {
    control.on(DescribeJobCommand).resolves({ Job: { Status: 'Active', ProgressSummary: { TotalNumberOfTasks: 4, NumberOfTasksSucceeded: 1, NumberOfTasksFailed: 0 } } });
    const env = { AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's', AWS_REGION: 'us-east-1' };
    const shown = await runMain(['batch', 'status', 'job-2', '--account-id', '123456789012'], { env });
    expect(shown.stderr).toBe('');
    expect(shown.stdout).toBe('Job job-2 Active: 1 of 4 succeeded, 0 failed.\n');
    expect(shown.code).toBe(0);
    const missing = await runMain(['batch', 'status', 'job-2'], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--account-id is required/);
  });

  it('the CLI records a finished job in the state file and exits 1 when tasks failed', async () => {
    control.on(DescribeJobCommand).resolves({ Job: { Status: 'Complete', ProgressSummary: { TotalNumberOfTasks: 5, NumberOfTasksSucceeded: 4, NumberOfTasksFailed: 1 } } });
    const stateFile = join(await tempDir('batch-state'), 'state.json');
    const env = { AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's', AWS_REGION: 'us-east-1' };
    const done = await runMain(['batch', 'status', 'job-4', '--account-id', '123456789012', '--state-file', stateFile], { env });
    expect(done.stdout).toBe('Job job-4 Complete: 4 of 5 succeeded, 1 failed.\n');
    expect(done.code).toBe(1);
    const state = JSON.parse(await readFile(stateFile, 'utf8')) as Record<string, unknown>;
    expect(JSON.stringify(state)).toContain('"batch/job-4"');
    expect(JSON.stringify(state)).toMatch(/"status":"Complete","totalTasks":5,"succeeded":4,"failed":1/);
  });

  it('the CLI follows a job with --wait until it ends, and reports a manifest it cannot read', async () => {
    control.on(DescribeJobCommand).resolvesOnce({ Job: { Status: 'Active', ProgressSummary: { TotalNumberOfTasks: 2, NumberOfTasksSucceeded: 1, NumberOfTasksFailed: 0 } } }).resolves({
      Job: { Status: 'Complete', ProgressSummary: { TotalNumberOfTasks: 2, NumberOfTasksSucceeded: 2, NumberOfTasksFailed: 0 } },
    });
    const env = { AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's', AWS_REGION: 'us-east-1', AWS_ACCOUNT_ID: '123456789012' };
    const stateFile = join(await tempDir('batch-wait'), 'state.json');
    const waited = await runMain(['batch', 'status', 'job-5', '--wait', '--poll-seconds', '1', '--state-file', stateFile, '--json'], { env });
    expect(waited.code).toBe(0);
    expect(JSON.parse(waited.stdout)).toMatchObject({ jobId: 'job-5', status: 'Complete', finished: true, succeeded: 2, failed: 0 });
    expect(control.commandCalls(DescribeJobCommand)).toHaveLength(2);

    s3.on(HeadObjectCommand).rejects(Object.assign(new Error('Not Found'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } }));
    const missing = await runMain(
      ['batch', 'submit', '--manifest', 's3://ops-bucket/none.csv', '--target', 's3://dst-bucket', '--role-arn', 'arn:aws:iam::123456789012:role/r', '--report', 's3://ops-bucket/rep'],
      { env },
    );
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/Cannot read the manifest s3:\/\/ops-bucket\/none\.csv/);
    expect(control.commandCalls(CreateJobCommand)).toHaveLength(0);
    const bad = await runMain(['batch', 'submit', '--manifest', 's3://ops-bucket/', '--target', 's3://dst-bucket', '--role-arn', 'r', '--report', 's3://ops-bucket/rep'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--manifest "s3:\/\/ops-bucket\/" names no object/);
  });

  it('the CLI submits with the flags mapped to the request', async () => {
    s3.on(HeadObjectCommand).resolves({ ETag: '"cafe"' });
    control.on(CreateJobCommand).resolves({ JobId: 'job-3' });
    const env = { AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's', AWS_REGION: 'us-east-1', AWS_ACCOUNT_ID: '123456789012' };
    const submitted = await runMain(
      ['batch', 'submit', '--manifest', 's3://ops-bucket/m.csv', '--target', 's3://dst-bucket', '--role-arn', 'arn:aws:iam::123456789012:role/r', '--report', 's3://ops-bucket/rep', '--json'],
      { env },
    );
    expect(submitted.stderr).toBe('');
    expect(submitted.code).toBe(0);
    const printed = JSON.parse(submitted.stdout) as { jobId: string; request: { Operation: unknown; Manifest: { Location: unknown } } };
    expect(printed.jobId).toBe('job-3');
    expect(printed.request.Operation).toEqual({ S3PutObjectCopy: { TargetResource: 'arn:aws:s3:::dst-bucket', MetadataDirective: 'COPY' } });
    expect(printed.request.Manifest.Location).toEqual({ ObjectArn: 'arn:aws:s3:::ops-bucket/m.csv', ETag: 'cafe' });
  });
});
