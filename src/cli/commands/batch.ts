import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, createS3Client, formatLocation, jsonFileStore, parseLocation, parseS3ObjectUrl, updateState, type S3Location } from 's3kit';
import { describeBatchJob, readBatchReport, submitCopyJob, type BatchJobStatus, type BatchReportSummary } from 's3kit/admin';
import type { CliContext } from '../context.js';
import { describeError, reportCommandError } from '../describe-error.js';
import { ExitCode } from '../exit-codes.js';
import { parsePositiveInteger } from '../values.js';
import { addConnectionFlags, connectionOptions, stateFilePath, type ConnectionFlags } from '../sync-flags.js';

type BatchFlags = ConnectionFlags & { accountId?: string; json?: boolean; debug?: boolean };
type SubmitFlags = BatchFlags & { manifest: S3Location; target: S3Location; roleArn: string; report: S3Location; priority?: number };
type StatusFlags = BatchFlags & { wait?: boolean; pollSeconds?: number; stateFile?: string };

const EXAMPLES = `
Examples:
  s3kit plan s3://src-bucket/archive/ s3://dst-bucket/archive/ --format s3-batch-manifest > manifest.csv
  aws s3 cp manifest.csv s3://ops-bucket/manifests/archive.csv
  s3kit batch submit --manifest s3://ops-bucket/manifests/archive.csv --target s3://dst-bucket/ \\
      --role-arn arn:aws:iam::123456789012:role/batch-copy --report s3://ops-bucket/reports --account-id 123456789012
  s3kit batch status 6f3a… --account-id 123456789012 --wait

A copy job keeps each source key whole and puts --target's prefix before it. Submitting the same
manifest (same ETag), target and report again returns the job already made: the request token is
derived from them.`;

function s3Url(name: string) {
  return (text: string): S3Location => {
    try {
      const location = parseLocation(text, name);
      if (location.kind === 's3') return location;
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
    }
    throw new InvalidArgumentError(`${name} takes s3://bucket[/key], got ${JSON.stringify(text)}.`);
  };
}

/** An object URL (the manifest): its key as given, not a prefix. */
function s3Object(text: string): S3Location {
  try {
    const { bucket, key } = parseS3ObjectUrl(text, '--manifest');
    return { kind: 's3', bucket, prefix: key };
  } catch (error) {
    if (error instanceof ConfigError) throw new InvalidArgumentError(error.message);
    throw error;
  }
}

function accountIdOf(flags: BatchFlags, env: Readonly<Record<string, string | undefined>>): string {
  const id = flags.accountId ?? env.AWS_ACCOUNT_ID;
  if (id === undefined || id.trim() === '') throw new InvalidArgumentError('--account-id is required (the 12-digit AWS account that owns the job), or set AWS_ACCOUNT_ID.');
  return id.trim();
}

/** `s3kit batch submit|status`: S3 Batch Operations copy jobs for lists too large for one machine. */
export function batchCommand(context: CliContext, setExitCode: (code: number) => void): Command {
  const { stdout, stderr } = context.streams;
  const submit = new Command('submit')
    .description('submit an S3 Batch Operations copy job over a CSV manifest (s3kit plan … --format s3-batch-manifest)')
    .requiredOption('--manifest <s3-url>', 'the uploaded manifest object', s3Object)
    .requiredOption('--target <s3-url>', 'the target bucket, and the prefix put before each whole source key', s3Url('--target'))
    .requiredOption('--role-arn <arn>', 'the IAM role Batch Operations assumes')
    .requiredOption('--report <s3-url>', 'where the completion report goes', s3Url('--report'))
    .option('--account-id <id>', 'the AWS account of the job (default: AWS_ACCOUNT_ID)')
    .option('--priority <n>', 'job priority (default 10)', parsePositiveInteger)
    .option('--json', 'print the job id and the request as JSON')
    .option('--debug', 'print stack traces of errors');
  addConnectionFlags(submit).action(async (flags: SubmitFlags) => {
    const connection = connectionOptions(flags, context.env);
    const accountId = accountIdOf(flags, context.env);
    try {
      const job = await submitCopyJob({
        s3: createS3Client(connection),
        region: connection.region,
        accountId,
        manifest: flags.manifest,
        target: flags.target,
        roleArn: flags.roleArn,
        report: flags.report,
        priority: flags.priority,
      });
      if (flags.json === true) stdout.write(`${JSON.stringify({ jobId: job.jobId, request: job.request })}\n`);
      else stdout.write(`Submitted Batch Operations job ${job.jobId}: copy of ${formatLocation(flags.manifest)} to ${formatLocation(flags.target)}. Follow it with: s3kit batch status ${job.jobId} --account-id ${accountId} --wait\n`);
      setExitCode(ExitCode.ok);
    } catch (error) {
      setExitCode((await reportCommandError(stderr, error, connection, flags.debug === true)).code);
    }
  });

  const status = new Command('status')
    .description('show a Batch Operations job (progress, failures); with --wait, follow it to the end and read its completion report')
    .argument('<job-id>', 'the job id that submit printed')
    .option('--account-id <id>', 'the AWS account of the job (default: AWS_ACCOUNT_ID)')
    .option('--wait', 'poll until the job is Complete, Failed or Cancelled; exit 1 if any task failed')
    .option('--poll-seconds <n>', 'seconds between polls with --wait (default 30)', parsePositiveInteger)
    .option('--state-file <path>', 'where a finished job and its report summary are recorded (default: $XDG_STATE_HOME/s3kit/state.json)')
    .option('--json', 'print the status (and the report summary) as JSON')
    .option('--debug', 'print stack traces of errors');
  addConnectionFlags(status).action(async (jobId: string, flags: StatusFlags) => {
    const connection = connectionOptions(flags, context.env);
    const accountId = accountIdOf(flags, context.env);
    try {
      let job: BatchJobStatus = await describeBatchJob({ accountId, jobId, region: connection.region });
      while (flags.wait === true && !job.finished) {
        if (flags.json !== true) stdout.write(`${statusLine(job)}\n`);
        await sleep((flags.pollSeconds ?? 30) * 1000, context.signal);
        job = await describeBatchJob({ accountId, jobId, region: connection.region });
      }
      const report = job.finished && job.report !== undefined ? await readBatchReport(createS3Client(connection), job.report, jobId) : undefined;
      if (job.finished) await recordJob(context, flags, job, report);
      if (flags.json === true) stdout.write(`${JSON.stringify({ ...job, ...(report === undefined ? {} : { completionReport: report }) })}\n`);
      else {
        stdout.write(`${statusLine(job)}\n`);
        if (report !== undefined) {
          stdout.write(`Completion report: ${report.succeeded} succeeded, ${report.failed} failed.\n`);
          for (const failure of report.failures.slice(0, 20)) stdout.write(`  failed: s3://${failure.bucket}/${failure.key}: ${failure.errorCode} ${failure.message}\n`);
        }
      }
      const failed = (report?.failed ?? job.failed ?? 0) > 0 || job.status === 'Failed';
      setExitCode(job.finished && failed ? ExitCode.failures : ExitCode.ok);
    } catch (error) {
      if (context.signal?.aborted === true) return setExitCode(ExitCode.interrupted);
      setExitCode((await reportCommandError(stderr, error, connection, flags.debug === true)).code);
    }
  });

  return new Command('batch')
    .description('S3 Batch Operations: submit a copy job over a manifest, follow it (AWS only)')
    .addCommand(submit)
    .addCommand(status)
    .addHelpText('after', EXAMPLES);
}

/** What the state file keeps of a finished job (`batch/<job id>`), beside the sync runs it stands for. */
interface BatchJobRecord {
  readonly finishedAt: string;
  readonly status: string;
  readonly totalTasks: number | undefined;
  readonly succeeded: number;
  readonly failed: number;
  readonly failures: readonly { readonly key: string; readonly errorCode: string }[];
}

async function recordJob(context: CliContext, flags: StatusFlags, job: BatchJobStatus, report: BatchReportSummary | undefined): Promise<void> {
  const stateFile = stateFilePath(flags, context.env);
  if (stateFile === undefined) return;
  const record: BatchJobRecord = {
    finishedAt: new Date().toISOString(),
    status: job.status,
    totalTasks: job.totalTasks,
    succeeded: report?.succeeded ?? job.succeeded ?? 0,
    failed: report?.failed ?? job.failed ?? 0,
    failures: (report?.failures ?? []).slice(0, 100).map((failure) => ({ key: `s3://${failure.bucket}/${failure.key}`, errorCode: failure.errorCode })),
  };
  try {
    await updateState<BatchJobRecord>(jsonFileStore(stateFile), `batch/${job.jobId}`, () => record);
  } catch (error) {
    context.streams.stderr.write(`s3kit: warning: the job's outcome could not be recorded in ${stateFile}: ${describeError(error, false)}\n`);
  }
}

function statusLine(job: BatchJobStatus): string {
  const progress = job.totalTasks === undefined ? '' : `: ${job.succeeded ?? 0} of ${job.totalTasks} succeeded, ${job.failed ?? 0} failed`;
  const reasons = job.reasons.length === 0 ? '' : ` (${job.reasons.join('; ')})`;
  return `Job ${job.jobId} ${job.status}${progress}${reasons}.`;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}
