import { Command, InvalidArgumentError, Option } from 'commander';
import { createS3Client, escapeText } from 's3kit';
import {
  applyBucketSetup,
  describeBucket,
  planBucketSetup,
  type BucketChange,
  type BucketChangeResult,
  type BucketDescription,
  type BucketSetting,
  type BucketSetupWanted,
  type LifecycleRule,
  type PolicyStatement,
} from 's3kit/admin';
import { bucketOf, jsonText, parseDays } from '../admin-values.js';
import type { CliContext } from '../context.js';
import { describeError, reportCommandError } from '../describe-error.js';
import { exitCodeForError, ExitCode } from '../exit-codes.js';
import { addConnectionFlags, addDryRunFlags, connectionOptions, type ConnectionFlags } from '../sync-flags.js';

const SHOW_EXAMPLES = `
Examples:
  s3kit bucket show s3://my-bucket
  s3kit bucket show s3://my-bucket --json`;

const SETUP_EXAMPLES = `
Examples:
  s3kit bucket setup s3://my-bucket --versioning --block-public-access --tls-only --dryrun
  s3kit bucket setup s3://my-bucket --encryption aws:kms --kms-key-id alias/data
  s3kit bucket setup s3://my-bucket --abort-incomplete-uploads 7d --access-log s3://my-logs/my-bucket/

Idempotent: a setting already as asked is left alone, so running it again changes nothing.
--tls-only merges one statement into the bucket policy (by Sid) and --abort-incomplete-uploads
one rule into the lifecycle configuration (by ID); the other statements and rules are kept.
Nothing is ever turned off.

Exit codes:
  0    the bucket is as asked (changes applied, or none needed; or --dryrun)
  1    a setting could not be made: the server does not support it, or its request failed
  2    usage or configuration error (bad flag, missing bucket, access denied, no credentials)
  4    the S3 service failed after retries`;

type ShowFlags = ConnectionFlags & { json?: boolean; debug?: boolean };
type SetupFlags = ConnectionFlags & {
  versioning?: boolean;
  encryption?: 'AES256' | 'aws:kms' | 'aws:kms:dsse';
  kmsKeyId?: string;
  blockPublicAccess?: boolean;
  tlsOnly?: boolean;
  abortIncompleteUploads?: number;
  accessLog?: string;
  mfaDelete?: boolean;
  mfa?: string;
  dryrun?: boolean;
  json?: boolean;
  debug?: boolean;
};

/** `s3kit bucket show|setup`: a bucket's settings. */
export function bucketCommand(context: CliContext, setExitCode: (code: number) => void): Command {
  const { stdout, stderr } = context.streams;
  const bucket = new Command('bucket').description("show a bucket's settings, or set it up safely (versioning, encryption, public access, TLS, lifecycle, logging)");
  const fail = async (error: unknown, flags: ConnectionFlags & { debug?: boolean }): Promise<void> => {
    // Flags refused together (--kms-key-id without aws:kms): main() prints them as usage errors.
    if (error instanceof InvalidArgumentError) throw error;
    if (context.signal?.aborted === true) return setExitCode(ExitCode.interrupted);
    setExitCode((await reportCommandError(stderr, error, connectionOptions(flags, context.env), flags.debug === true)).code);
  };

  const show = new Command('show')
    .description('versioning and MFA delete, default encryption, public access block, policy, lifecycle rules, logging, ownership: what is set, what is not, what the server does not support')
    .argument('<s3-url>', 's3://bucket')
    .option('--json', 'print the settings as one JSON object')
    .option('--debug', 'print stack traces of errors');
  addConnectionFlags(show)
    .addHelpText('after', SHOW_EXAMPLES)
    .action(async (url: string, flags: ShowFlags) => {
      try {
        const name = bucketOf(url);
        const description = await describeBucket(createS3Client(connectionOptions(flags, context.env)), name, { signal: context.signal });
        stdout.write(flags.json === true ? jsonText(description) : describeText(description));
        setExitCode(ExitCode.ok);
      } catch (error) {
        await fail(error, flags);
      }
    });

  const setup = new Command('setup')
    .description('make the bucket as asked, idempotently: print the changes, then apply them (--dryrun only prints)')
    .argument('<s3-url>', 's3://bucket')
    .option('--versioning', 'enable versioning')
    .addOption(new Option('--encryption <algorithm>', 'default encryption of new objects').choices(['AES256', 'aws:kms', 'aws:kms:dsse']))
    .option('--kms-key-id <key>', 'the KMS key (ID, alias or ARN) for --encryption aws:kms (default: the AWS managed key)')
    .option('--block-public-access', 'turn on all four Block Public Access switches')
    .option('--tls-only', 'deny requests without TLS (merges the tls-only policy statement into the bucket policy)')
    .option('--abort-incomplete-uploads <days>', 'abort multipart uploads this long after they start, e.g. 7d (merges a lifecycle rule)', parseDays)
    .option('--access-log <s3-url>', 'send server access logs to s3://log-bucket/prefix/')
    .option('--mfa-delete', 'enable MFA delete (with versioning); needs --mfa')
    .option('--mfa <"SERIAL CODE">', 'the MFA device serial number and its current code, for --mfa-delete (never printed)');
  addDryRunFlags(setup, 'print the changes, make none');
  setup.option('--json', 'print the changes (and their outcomes) as JSON').option('--debug', 'print stack traces of errors');
  addConnectionFlags(setup)
    .addHelpText('after', SETUP_EXAMPLES)
    .action(async (url: string, flags: SetupFlags) => {
      try {
        const name = bucketOf(url);
        const wanted = wantedOf(flags);
        const client = createS3Client(connectionOptions(flags, context.env));
        const plan = await planBucketSetup(client, name, wanted, { signal: context.signal });
        const dryRun = flags.dryrun === true;
        if (!flags.json) printChanges(plan.changes, name, dryRun, stdout);
        if (dryRun || plan.changes.length === 0) {
          if (flags.json === true) stdout.write(jsonText({ bucket: name, dryRun, changes: plan.changes }));
          setExitCode(ExitCode.ok);
          return;
        }
        const results = await applyBucketSetup(client, name, plan.changes, { signal: context.signal, ...(flags.mfa === undefined ? {} : { mfa: flags.mfa }) });
        if (flags.json === true) stdout.write(jsonText({ bucket: name, dryRun, changes: plan.changes, results: results.map(({ error: _error, ...result }) => result) }));
        else printResults(results, name, stdout);
        const failed = results.find((result) => result.outcome === 'failed');
        if (failed?.error !== undefined) {
          if (flags.json !== true) stderr.write(`s3kit: ${describeError(failed.error, flags.debug === true)}\n`);
          setExitCode(Math.max(ExitCode.failures, exitCodeForError(failed.error)));
        } else setExitCode(results.every((result) => result.outcome === 'applied') ? ExitCode.ok : ExitCode.failures);
      } catch (error) {
        await fail(error, flags);
      }
    });
  return bucket.addCommand(show).addCommand(setup);
}

/** The wants of the flags; usage errors for flags that need another or contradict. */
function wantedOf(flags: SetupFlags): BucketSetupWanted {
  if (flags.kmsKeyId !== undefined && flags.encryption !== 'aws:kms' && flags.encryption !== 'aws:kms:dsse') {
    throw new InvalidArgumentError('--kms-key-id goes with --encryption aws:kms (or aws:kms:dsse).');
  }
  if (flags.mfa !== undefined && flags.mfaDelete !== true) throw new InvalidArgumentError('--mfa is for --mfa-delete; give both or neither.');
  if (flags.mfaDelete === true && flags.mfa === undefined && flags.dryrun !== true) {
    throw new InvalidArgumentError('--mfa-delete needs --mfa "SERIAL CODE": the MFA device serial number (or ARN) and its current 6-digit code.');
  }
  let accessLog: BucketSetupWanted['accessLog'];
  if (flags.accessLog !== undefined) {
    const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(flags.accessLog);
    if (match === null) throw new InvalidArgumentError(`--access-log ${JSON.stringify(flags.accessLog)} is not an s3://bucket/prefix URL.`);
    accessLog = { bucket: match[1]!, prefix: match[2]! };
  }
  const wanted: BucketSetupWanted = {
    ...(flags.versioning === true ? { versioning: true } : {}),
    ...(flags.mfaDelete === true ? { mfaDelete: true } : {}),
    ...(flags.encryption === undefined ? {} : { encryption: { algorithm: flags.encryption, ...(flags.kmsKeyId === undefined ? {} : { kmsKeyId: flags.kmsKeyId }) } }),
    ...(flags.blockPublicAccess === true ? { blockPublicAccess: true } : {}),
    ...(flags.tlsOnly === true ? { tlsOnly: true } : {}),
    ...(flags.abortIncompleteUploads === undefined ? {} : { abortIncompleteUploadsDays: flags.abortIncompleteUploads }),
    ...(accessLog === undefined ? {} : { accessLog }),
  };
  if (Object.keys(wanted).length === 0) {
    throw new InvalidArgumentError(
      'nothing to set up: give at least one of --versioning, --encryption, --block-public-access, --tls-only, --abort-incomplete-uploads, --access-log, --mfa-delete (see s3kit bucket show for the settings now).',
    );
  }
  return wanted;
}

function printChanges(changes: readonly BucketChange[], bucket: string, dryRun: boolean, stdout: NodeJS.WritableStream): void {
  if (changes.length === 0) {
    stdout.write(`s3://${bucket} is already set up as asked: no change.\n`);
    return;
  }
  stdout.write(`${dryRun ? 'Changes s3kit would make' : 'Changes to make'} to s3://${bucket}:\n`);
  for (const change of changes) {
    stdout.write(`  ${escapeText(change.summary)} (now: ${escapeText(change.from)})${change.supported ? '' : ' — not supported by this server: nothing will be sent'}\n`);
  }
  if (dryRun) stdout.write('(dry run: nothing was changed)\n');
}

function printResults(results: readonly BucketChangeResult[], bucket: string, stdout: NodeJS.WritableStream): void {
  for (const result of results) {
    const words = result.outcome === 'applied' ? 'applied' : result.outcome === 'not-supported' ? 'not supported by this server' : 'FAILED';
    stdout.write(`${words}: ${escapeText(result.change.summary)}${result.outcome !== 'applied' && result.reason !== undefined ? ` (${escapeText(result.reason)})` : ''}\n`);
  }
  const count = (outcome: BucketChangeResult['outcome']): number => results.filter((result) => result.outcome === outcome).length;
  stdout.write(`s3://${bucket}: ${count('applied')} change(s) applied, ${count('not-supported')} not supported by this server, ${count('failed')} failed.\n`);
}

const LABELS: readonly [keyof Omit<BucketDescription, 'bucket'>, string][] = [
  ['versioning', 'versioning'],
  ['mfaDelete', 'MFA delete'],
  ['encryption', 'default encryption'],
  ['publicAccessBlock', 'public access block'],
  ['policy', 'policy'],
  ['lifecycle', 'lifecycle'],
  ['logging', 'access logging'],
  ['ownershipControls', 'object ownership'],
];

/** The description as aligned lines; policy statements and lifecycle rules one per line below. */
export function describeText(description: BucketDescription): string {
  const lines = [`s3://${description.bucket}`];
  for (const [setting, label] of LABELS) {
    const value = description[setting] as BucketSetting<unknown>;
    lines.push(`  ${label.padEnd(20)}${escapeText(settingText(setting, value))}`);
    if (value.status !== 'set') continue;
    if (setting === 'policy' && description.policy.status === 'set') {
      for (const statement of toArray(description.policy.value.Statement)) lines.push(`    ${escapeText(statementText(statement))}`);
    }
    if (setting === 'lifecycle' && description.lifecycle.status === 'set') {
      for (const rule of description.lifecycle.value.Rules) lines.push(`    ${escapeText(ruleText(rule))}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function settingText(setting: string, value: BucketSetting<unknown>): string {
  if (value.status === 'not-set') return 'not set';
  if (value.status === 'not-supported') return `not supported by this server (${value.reason.replace(/^the server does not support /, '').replace(/\.$/, '')})`;
  const set = value.value as Record<string, unknown> | string;
  if (typeof set === 'string') return set;
  switch (setting) {
    case 'encryption':
      return `${String(set.algorithm)}${set.kmsKeyId === undefined ? '' : ` with key ${String(set.kmsKeyId)}`}${set.bucketKeyEnabled === true ? ', bucket key on' : ''}`;
    case 'publicAccessBlock': {
      const names: Record<string, string> = { blockPublicAcls: 'BlockPublicAcls', ignorePublicAcls: 'IgnorePublicAcls', blockPublicPolicy: 'BlockPublicPolicy', restrictPublicBuckets: 'RestrictPublicBuckets' };
      const on = Object.keys(names).filter((name) => set[name] === true);
      if (on.length === 4) return 'all public access blocked (the four switches on)';
      if (on.length === 0) return 'public access not blocked (the four switches off)';
      return `only ${on.map((name) => names[name]).join(', ')} on`;
    }
    case 'policy': {
      const statements = toArray((set as { Statement: PolicyStatement | readonly PolicyStatement[] }).Statement);
      return `${statements.length} statement(s) (s3kit policy show prints it)`;
    }
    case 'lifecycle':
      return `${(set as { Rules: readonly LifecycleRule[] }).Rules.length} rule(s) (s3kit lifecycle show prints them)`;
    case 'logging':
      return `to s3://${String(set.targetBucket)}/${String(set.targetPrefix)}`;
    default:
      return JSON.stringify(set);
  }
}

function toArray<T>(value: T | readonly T[]): readonly T[] {
  return Array.isArray(value) ? (value as readonly T[]) : [value as T];
}

function statementText(statement: PolicyStatement): string {
  const list = (value: string | readonly string[] | undefined): string => (value === undefined ? '' : toArray(value).join(','));
  const action = statement.Action !== undefined ? list(statement.Action) : `not ${list(statement.NotAction)}`;
  const principal = statement.Principal === undefined ? '' : ` for ${JSON.stringify(statement.Principal)}`;
  const condition = statement.Condition === undefined ? '' : ` when ${JSON.stringify(statement.Condition)}`;
  return `${statement.Sid ?? '(no Sid)'}: ${statement.Effect} ${action}${principal}${condition}`;
}

function ruleText(rule: LifecycleRule): string {
  const filter = rule.Filter ?? (rule.Prefix === undefined ? undefined : { Prefix: rule.Prefix });
  const scope = filter === undefined || Object.keys(filter).length === 0 || (Object.keys(filter).length === 1 && filter.Prefix === '') ? 'every object' : `filter ${JSON.stringify(filter)}`;
  const actions: string[] = [];
  for (const transition of rule.Transitions ?? []) actions.push(`to ${transition.StorageClass} ${transition.Days === undefined ? `on ${transition.Date}` : `after ${transition.Days} day(s)`}`);
  if (rule.Expiration !== undefined) {
    actions.push(rule.Expiration.ExpiredObjectDeleteMarker === true ? 'remove expired delete markers' : `expire ${rule.Expiration.Days === undefined ? `on ${rule.Expiration.Date}` : `after ${rule.Expiration.Days} day(s)`}`);
  }
  for (const transition of rule.NoncurrentVersionTransitions ?? []) actions.push(`noncurrent versions to ${transition.StorageClass} after ${transition.NoncurrentDays} day(s)`);
  if (rule.NoncurrentVersionExpiration !== undefined) actions.push(`expire noncurrent versions after ${rule.NoncurrentVersionExpiration.NoncurrentDays} day(s)`);
  if (rule.AbortIncompleteMultipartUpload !== undefined) actions.push(`abort incomplete uploads after ${rule.AbortIncompleteMultipartUpload.DaysAfterInitiation} day(s)`);
  return `${rule.ID ?? '(no ID)'} (${rule.Status}, ${scope}): ${actions.join('; ')}`;
}
