import { createHash } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { CreateJobCommandInput, S3ControlClient } from '@aws-sdk/client-s3-control';
import { ConfigError, ListingError, type S3Location } from '../index.js';
import { stripEtagQuotes } from '../core/etag.js';
import { describeS3Error, isRetryableError, s3ErrorCode } from '../core/s3-errors.js';

/*
 * S3 Batch Operations, AWS's engine for billions of objects: s3kit writes the copy list
 * (batch-manifest.ts), submits a copy job over it, follows the job, and reads its completion
 * report back. The S3 Control client is loaded only when one of these runs, so that `s3kit`
 * and `s3kit/admin` users who never submit a job never load it.
 */

/** Loads the S3 Control client (a dependency used by these calls only). */
async function s3Control(region: string | undefined, given: S3ControlClient | undefined): Promise<{ client: S3ControlClient; module: typeof import('@aws-sdk/client-s3-control') }> {
  const module = await import('@aws-sdk/client-s3-control');
  return { client: given ?? new module.S3ControlClient(region === undefined ? {} : { region }), module };
}

/**
 * Options of {@link submitCopyJob}.
 * @public
 */
export interface SubmitCopyJobOptions {
  /** The client that reads the manifest object (its ETag is part of the job). */
  readonly s3: S3Client;
  /** The S3 Control client; one for `region` is made when absent. */
  readonly control?: S3ControlClient;
  /** The region of the job (the manifest, the target and the report must be there). */
  readonly region?: string;
  /** The AWS account that owns the job. */
  readonly accountId: string;
  /** The Batch Operations CSV manifest object (`s3kit plan … --format s3-batch-manifest`, uploaded). */
  readonly manifest: S3Location;
  /** Where the objects go: the bucket, and the prefix put before each whole source key. */
  readonly target: S3Location;
  /** The IAM role Batch Operations assumes to read the sources and write the targets. */
  readonly roleArn: string;
  /** Where the completion report goes (every task, succeeded or failed). */
  readonly report: S3Location;
  /**
   * The job's priority (higher runs first).
   * @defaultValue `10`
   */
  readonly priority?: number;
  /** A description shown in the console. @defaultValue a line naming the manifest and target */
  readonly description?: string;
}

/**
 * What {@link submitCopyJob} sent and got back.
 * @public
 */
export interface SubmittedJob {
  /** The job id Batch Operations gave. */
  readonly jobId: string;
  /** The request as sent (for the record; holds no credentials). */
  readonly request: CreateJobCommandInput;
}

/**
 * Submits an S3 Batch Operations copy job (`S3PutObjectCopy`) over a CSV manifest: the manifest's
 * current ETag pins the list that was reviewed, the completion report covers every task, and the
 * client request token is derived from the manifest, its ETag, the target and the report, so
 * submitting the same job twice (a retry after a lost answer) returns the job already made
 * instead of copying twice. The job starts without a console confirmation.
 * @public
 */
export async function submitCopyJob(options: SubmitCopyJobOptions): Promise<SubmittedJob> {
  if (!/^\d{12}$/.test(options.accountId)) throw new ConfigError('accountId', `accountId must be the 12-digit AWS account id, got ${JSON.stringify(options.accountId)}.`);
  if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/.+/.test(options.roleArn)) {
    throw new ConfigError('roleArn', `roleArn must be an IAM role ARN (arn:aws:iam::123456789012:role/name), got ${JSON.stringify(options.roleArn)}.`);
  }
  if (options.manifest.prefix === '' || options.manifest.prefix.endsWith('/')) {
    throw new ConfigError('manifest', 'manifest must name the manifest object itself, s3://bucket/path/manifest.csv.');
  }
  let etag: string | undefined;
  try {
    etag = stripEtagQuotes((await options.s3.send(new HeadObjectCommand({ Bucket: options.manifest.bucket, Key: options.manifest.prefix }))).ETag);
  } catch (error) {
    throw new ListingError('source', `Cannot read the manifest s3://${options.manifest.bucket}/${options.manifest.prefix}: ${describeS3Error(error, options.manifest.bucket)}`, {
      code: s3ErrorCode(error),
      cause: error,
      retryable: isRetryableError(error),
    });
  }
  if (etag === undefined) throw new ConfigError('manifest', 'the manifest object has no ETag; Batch Operations needs it.');
  const targetPrefix = options.target.prefix;
  const reportPrefix = options.report.prefix.replace(/\/+$/, '');
  const token = createHash('sha256')
    .update(JSON.stringify([options.accountId, options.manifest.bucket, options.manifest.prefix, etag, options.target.bucket, targetPrefix, options.report.bucket, reportPrefix]))
    .digest('hex')
    .slice(0, 64);
  const request: CreateJobCommandInput = {
    AccountId: options.accountId,
    ConfirmationRequired: false,
    Priority: options.priority ?? 10,
    RoleArn: options.roleArn,
    ClientRequestToken: token,
    Description: (options.description ?? `s3kit copy of s3://${options.manifest.bucket}/${options.manifest.prefix} to s3://${options.target.bucket}/${targetPrefix}`).slice(0, 256),
    Operation: {
      S3PutObjectCopy: {
        TargetResource: `arn:aws:s3:::${options.target.bucket}`,
        ...(targetPrefix === '' ? {} : { TargetKeyPrefix: targetPrefix }),
        MetadataDirective: 'COPY',
      },
    },
    Manifest: {
      Spec: { Format: 'S3BatchOperations_CSV_20180820', Fields: ['Bucket', 'Key'] },
      Location: { ObjectArn: `arn:aws:s3:::${options.manifest.bucket}/${options.manifest.prefix}`, ETag: etag },
    },
    Report: {
      Enabled: true,
      Bucket: `arn:aws:s3:::${options.report.bucket}`,
      ...(reportPrefix === '' ? {} : { Prefix: reportPrefix }),
      Format: 'Report_CSV_20180820',
      ReportScope: 'AllTasks',
    },
  };
  const { client, module } = await s3Control(options.region, options.control);
  const answer = await client.send(new module.CreateJobCommand(request));
  if (answer.JobId === undefined) throw new ListingError('target', 'S3 Control answered CreateJob without a job id.');
  return { jobId: answer.JobId, request };
}

/**
 * A Batch Operations job's state, from DescribeJob.
 * @public
 */
export interface BatchJobStatus {
  readonly jobId: string;
  /** `New`, `Preparing`, `Ready`, `Active`, `Complete`, `Failed`, `Cancelled`, … */
  readonly status: string;
  /** True once the job will not change any more (Complete, Failed, Cancelled). */
  readonly finished: boolean;
  readonly totalTasks: number | undefined;
  readonly succeeded: number | undefined;
  readonly failed: number | undefined;
  /** Why the job failed or was suspended, when it says. */
  readonly reasons: readonly string[];
  /** Where its completion report goes. */
  readonly report: S3Location | undefined;
}

/**
 * Options of {@link describeBatchJob}.
 * @public
 */
export interface DescribeBatchJobOptions {
  readonly accountId: string;
  readonly jobId: string;
  /** The S3 Control client; one for `region` is made when absent. */
  readonly control?: S3ControlClient;
  readonly region?: string;
}

/**
 * Reads a Batch Operations job's status and progress.
 * @public
 */
export async function describeBatchJob(options: DescribeBatchJobOptions): Promise<BatchJobStatus> {
  const { client, module } = await s3Control(options.region, options.control);
  const { Job: job } = await client.send(new module.DescribeJobCommand({ AccountId: options.accountId, JobId: options.jobId }));
  const status = job?.Status ?? 'Unknown';
  const reportBucket = job?.Report?.Bucket?.replace(/^arn:aws[a-z-]*:s3:::/, '');
  return {
    jobId: options.jobId,
    status,
    finished: ['Complete', 'Failed', 'Cancelled'].includes(status),
    totalTasks: job?.ProgressSummary?.TotalNumberOfTasks,
    succeeded: job?.ProgressSummary?.NumberOfTasksSucceeded,
    failed: job?.ProgressSummary?.NumberOfTasksFailed,
    reasons: [...(job?.FailureReasons ?? []).map((failure) => `${failure.FailureCode ?? ''} ${failure.FailureReason ?? ''}`.trim()), ...(job?.StatusUpdateReason === undefined ? [] : [job.StatusUpdateReason])],
    report: reportBucket === undefined || job?.Report?.Enabled !== true ? undefined : { kind: 's3', bucket: reportBucket, prefix: job.Report.Prefix ?? '' },
  };
}

/**
 * One failed task of a completion report.
 * @public
 */
export interface BatchTaskFailure {
  readonly bucket: string;
  readonly key: string;
  readonly errorCode: string;
  readonly httpStatus: number | undefined;
  readonly message: string;
}

/**
 * A completion report, read back.
 * @public
 */
export interface BatchReportSummary {
  readonly succeeded: number;
  readonly failed: number;
  /** The failed tasks, the first 1000. */
  readonly failures: readonly BatchTaskFailure[];
}

/**
 * Reads a job's completion report (`<report prefix>/job-<id>/results/*.csv`: bucket, key,
 * version, task status, error code, HTTP status, result message per line; keys URL-encoded) into
 * counts and the failed tasks. Reads the result files one at a time.
 * @public
 */
export async function readBatchReport(s3: S3Client, report: S3Location, jobId: string): Promise<BatchReportSummary> {
  const base = report.prefix.replace(/\/+$/, '');
  const prefix = `${base === '' ? '' : `${base}/`}job-${jobId}/results/`;
  let succeeded = 0;
  let failed = 0;
  const failures: BatchTaskFailure[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: report.bucket, Prefix: prefix, ContinuationToken: token }));
    for (const object of page.Contents ?? []) {
      if (object.Key === undefined || !object.Key.endsWith('.csv')) continue;
      const body = await (await s3.send(new GetObjectCommand({ Bucket: report.bucket, Key: object.Key }))).Body!.transformToString();
      for (const line of body.split(/\r?\n/)) {
        if (line.trim() === '') continue;
        // The documented schema names the fifth field ErrorCode and the sixth HTTPStatusCode,
        // but AWS's own example reports hold the HTTP status fifth (`failed,200,PermanentFailure`):
        // the numeric one of the two is the status.
        const [bucket = '', key = '', , status = '', fifth = '', sixth = '', ...message] = parseCsvLine(line);
        const [httpStatus, errorCode] = /^\d+$/.test(fifth) || !/^\d+$/.test(sixth) ? [fifth, sixth] : [sixth, fifth];
        if (status === 'succeeded') succeeded++;
        else {
          failed++;
          if (failures.length < 1000) {
            failures.push({ bucket, key: decodeKey(key), errorCode, httpStatus: /^\d+$/.test(httpStatus) ? Number(httpStatus) : undefined, message: message.join(',') });
          }
        }
      }
    }
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return { succeeded, failed, failures };
}

/** Fields of one CSV line, with double-quoted fields (a result message may hold commas). */
function parseCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const character = line[i]!;
    if (quoted) {
      if (character === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (character === '"') quoted = false;
      else field += character;
    } else if (character === '"') quoted = true;
    else if (character === ',') {
      fields.push(field);
      field = '';
    } else field += character;
  }
  fields.push(field);
  return fields;
}

function decodeKey(key: string): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    return key;
  }
}
