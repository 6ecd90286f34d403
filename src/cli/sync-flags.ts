import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError, parseShard, type FilterRule, type S3ConnectionOptions, type Shard, type StorageClassRule, type SyncOptions, type Transport, type UploadOptions } from 's3kit';
import { addSseCFlags, type SseCFlags } from './sse-c-flags.js';
import {
  collectStorageClassRule,
  parseBwlimit,
  parseDurationMs,
  parseEndpointUrl,
  parseMaxDelete,
  parseMetadata,
  parseMultipartThreshold,
  parsePartSize,
  parsePositiveInteger,
  parseSize,
  parseStorageClass,
} from './values.js';

/** The library's default `multipartThreshold` (16 MiB). */
const DEFAULT_MULTIPART_THRESHOLD = 16 * 1024 * 1024;

/** The flags of `sync`, `plan` and `apply` as commander parses them. */
export interface SyncFlags extends SseCFlags {
  readonly delete?: boolean;
  readonly backupDir?: string;
  readonly backupPrefix?: string;
  readonly suffix?: string;
  readonly dryrun?: boolean;
  readonly sizeOnly?: boolean;
  readonly exactTimestamps?: boolean;
  readonly checksum?: boolean;
  readonly storageClass?: string;
  readonly storageClassRule?: StorageClassRule[];
  readonly sse?: string | true;
  readonly sseKmsKeyId?: string;
  readonly acl?: string;
  readonly contentType?: string;
  readonly cacheControl?: string;
  readonly metadata?: Record<string, string>;
  readonly followSymlinks?: boolean;
  readonly ignoreFile?: string[];
  readonly ignoreFileName?: string;
  readonly ignoreCase?: boolean;
  readonly maxDelete?: number | `${number}%`;
  readonly deleteExcluded?: boolean;
  readonly concurrency?: number;
  readonly bwlimit?: number;
  readonly shard?: string;
  readonly multipartThreshold?: number;
  readonly partSize?: number;
  readonly metadataDirective?: 'COPY' | 'REPLACE';
  readonly multipartCopyThreshold?: number;
  readonly sourceEndpointUrl?: string;
  readonly sourceRegion?: string;
  readonly sourceProfile?: string;
}

/** The connection flags every command that talks to S3 has. */
export interface ConnectionFlags {
  readonly endpointUrl?: string;
  readonly region?: string;
  readonly profile?: string;
  readonly pathStyle?: boolean;
  readonly connectTimeout?: number;
  readonly timeout?: number;
  readonly transport?: Transport;
}

/** Resume flags of commands that upload. */
export interface ResumeFlags {
  readonly stateFile?: string;
  readonly resume?: boolean;
}

/** Adds `--state-file` and `--no-resume`. */
export function addResumeFlags(command: Command): Command {
  return command
    .option('--state-file <path>', 'where interrupted multipart uploads are recorded to be resumed (default: $XDG_STATE_HOME/s3kit/state.json)')
    .option('--no-resume', 'on Ctrl-C or a failure, abort multipart uploads and remove partial downloads instead of keeping them for the next run');
}

/** The state file of `sync`/`apply`: the flag, else `$XDG_STATE_HOME/s3kit/state.json` (`~/.local/state`). */
export function stateFilePath(flags: ResumeFlags, env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (flags.stateFile !== undefined) return flags.stateFile;
  const base = nonEmpty(env.XDG_STATE_HOME) ?? (nonEmpty(env.HOME) === undefined ? undefined : `${env.HOME}/.local/state`);
  return base === undefined ? undefined : `${base}/s3kit/state.json`;
}

/** Output flags of `sync` and `apply`. */
export interface OutputFlags {
  readonly json?: boolean;
  readonly progress?: boolean;
  readonly onlyShowErrors?: boolean;
  readonly quiet?: boolean;
  readonly debug?: boolean;
}

/**
 * Adds the flags that shape a sync. `--exclude`, `--include` and `--exclude-from` all append to
 * `rules` in the order they appear on the command line, because with aws-cli semantics the
 * last matching rule wins.
 */
export function addSyncFlags(command: Command, rules: FilterRule[]): Command {
  const compareFlags = ['sizeOnly', 'exactTimestamps', 'checksum'];
  command
    .option('--delete', 'delete target keys that the source lacks (after all transfers, never after errors)')
    .option('--dryrun', 'show what would be done, do nothing')
    .addOption(new Option('--dry-run', 'same as --dryrun').implies({ dryrun: true }));
  addFilterFlags(command, rules);
  command
    .addOption(new Option('--size-only', 'compare by size only').conflicts(compareFlags.filter((f) => f !== 'sizeOnly')))
    .addOption(
      new Option('--exact-timestamps', 'downloads: a same-size file whose time differs from the object’s is downloaded (uploads: the default rule, as in aws-cli)').conflicts(
        compareFlags.filter((f) => f !== 'exactTimestamps'),
      ),
    )
    .addOption(
      new Option('--checksum', 'compare content (MD5 and multipart ETags) instead of times').conflicts(compareFlags.filter((f) => f !== 'checksum')),
    )
    .option('--max-delete <n|n%>', 'refuse to delete more than n keys, or n% of the target', parseMaxDelete)
    .option('--delete-excluded', 'with --delete, also delete target keys the filters exclude')
    .option('--backup-dir <dir>', 'local targets: move what is deleted, link what is overwritten, into this directory first ({date}, {time} in UTC)')
    .option('--backup-prefix <s3url>', 'S3 targets: copy what is overwritten or deleted under this s3://bucket/prefix/ first ({date}, {time} in UTC)')
    .option('--suffix <text>', 'add this to the names of what is kept, e.g. .{date}; alone, keep them beside the originals (names ending so are then left out of the sync)')
    .option('--follow-symlinks', 'follow symbolic links (default)')
    .option('--no-follow-symlinks', 'skip symbolic links')
    .option('--storage-class <class>', 'storage class of uploaded objects, e.g. STANDARD_IA, GLACIER_IR, DEEP_ARCHIVE', parseStorageClass)
    .option(
      '--storage-class-rule <rule>',
      'S3 targets, repeatable, first match wins (else --storage-class): include=PATTERN,minSize=SIZE,olderThan=AGE,class=CLASS[,force], e.g. include=*.mp4,minSize=128KiB,olderThan=30d,class=STANDARD_IA',
      collectStorageClassRule,
    )
    .addOption(new Option('--sse [algorithm]', 'server-side encryption: AES256 (default when given alone) or aws:kms').choices(['AES256', 'aws:kms']))
    .option('--sse-kms-key-id <id>', 'KMS key for --sse aws:kms')
    .option('--acl <acl>', 'canned ACL of uploaded objects, e.g. public-read')
    .option('--content-type <type>', 'Content-Type of every uploaded object (default: guessed per file)')
    .option('--cache-control <value>', 'Cache-Control of uploaded objects')
    .option('--metadata <k=v,...>', 'user metadata of uploaded objects', parseMetadata)
    .option('--concurrency <n>', 'transfers in flight (default 16)', parsePositiveInteger)
    .option('--shard <i/n|auto>', 'do only part INDEX (from 0) of COUNT of this sync, e.g. 0/4; N processes with 0/N … N-1/N together do it once. auto: from JOB_COMPLETION_INDEX (Kubernetes; auto/N) or AWS_BATCH_JOB_ARRAY_INDEX')
    .option('--bwlimit <rate>', 'limit all transfers together to this many bytes per second, e.g. 10MiB/s, 500KiB/s, 1M (server-side copies are not limited)', parseBwlimit)
    .option('--multipart-threshold <size>', 'upload files this large in parts (default 16MB; 5MB to 5GB)', parseMultipartThreshold)
    .option('--part-size <size>', 'multipart part size (default 8MB; 5MB to 5GB; MB = MiB, as in aws-cli)', parsePartSize)
    .addOption(new Option('--metadata-directive <directive>', 'S3 → S3: COPY keeps the source metadata (default), REPLACE uses the upload flags').choices(['COPY', 'REPLACE']))
    .option('--multipart-copy-threshold <size>', 'S3 → S3: copy objects this large in parallel parts (default 5GB)', parseSize);
  addSseCFlags(command);
  return addSourceConnectionFlags(command, {
    endpoint: 'endpoint of an S3 source on another service (copies then stream through s3kit)',
    region: 'region of the source bucket (copies stay server-side)',
    profile: 'profile for the source bucket (copies then stream through s3kit)',
  });
}

/** The filter flags as commander parses them (`--exclude`, `--include` and `--exclude-from` go to the rules array). */
export interface FilterFlags {
  readonly ignoreFile?: string[];
  readonly ignoreFileName?: string;
  readonly ignoreCase?: boolean;
}

/**
 * Adds the filter flags: `--exclude`, `--include`, `--exclude-from` (appended to `rules` in
 * command-line order), `--ignore-file`, `--ignore-file-name` and `--ignore-case`.
 */
export function addFilterFlags(command: Command, rules: FilterRule[]): Command {
  return command
    .option('--exclude <pattern>', 'exclude keys matching the pattern (aws-cli rules: * crosses /, the last matching rule wins)', (pattern: string) => {
      rules.push({ type: 'exclude', pattern });
      return pattern;
    })
    .option('--include <pattern>', 'include keys matching the pattern again', (pattern: string) => {
      rules.push({ type: 'include', pattern });
      return pattern;
    })
    .option('--exclude-from <file>', 'read --exclude patterns from a file, one per line (# comments)', (file: string) => {
      for (const pattern of readLines(file, '--exclude-from')) rules.push({ type: 'exclude', pattern });
      return file;
    })
    .option('--ignore-file <path>', 'a file of .gitignore patterns to exclude (repeatable)', collect, [] as string[])
    .option('--ignore-file-name <name>', 'read ignore files of this name from every source directory, e.g. .gitignore')
    .option('--ignore-case', 'match ignore-file patterns regardless of case (git core.ignorecase); case-sensitive by default');
}

/** Adds `--source-endpoint-url`, `--source-region` and `--source-profile`, described for the command at hand. */
export function addSourceConnectionFlags(command: Command, descriptions: { readonly endpoint: string; readonly region: string; readonly profile: string }): Command {
  return command
    .option('--source-endpoint-url <url>', descriptions.endpoint, parseEndpointUrl)
    .option('--source-region <region>', descriptions.region)
    .option('--source-profile <name>', descriptions.profile);
}

/** `sourceConnection` from `--source-endpoint-url`, `--source-region` and `--source-profile`, or undefined when none is given. */
export function sourceConnectionOf(flags: Pick<SyncFlags, 'sourceEndpointUrl' | 'sourceRegion' | 'sourceProfile'>): Omit<S3ConnectionOptions, 'client'> | undefined {
  const sourceConnection = dropUndefined({ endpoint: flags.sourceEndpointUrl, region: flags.sourceRegion, profile: flags.sourceProfile });
  return Object.keys(sourceConnection).length > 0 ? sourceConnection : undefined;
}

/** Every flag of a command that runs a sync (`sync`, `backup`). */
export type SyncCommandFlags = SyncFlags & ConnectionFlags & OutputFlags & ResumeFlags & { readonly dryrun?: boolean };

/** Adds the flags of a command that runs a sync: sync, connection, output and resume flags. */
export function addSyncCommandFlags(command: Command, rules: FilterRule[]): Command {
  addSyncFlags(command, rules);
  addConnectionFlags(command);
  addOutputFlags(command);
  return addResumeFlags(command);
}

/** Adds `--dryrun` and its other spelling `--dry-run` (both set `dryrun`). */
export function addDryRunFlags(command: Command, description: string): Command {
  return command.option('--dryrun', description).addOption(new Option('--dry-run', 'same as --dryrun').implies({ dryrun: true }));
}

/** Adds `--endpoint-url`, `--region`, `--profile` and `--path-style`. */
export function addConnectionFlags(command: Command): Command {
  return command
    .option('--endpoint-url <url>', 'S3 endpoint (default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, else AWS)', parseEndpointUrl)
    .option('--region <region>', 'region (default: AWS_REGION, AWS_DEFAULT_REGION or the profile)')
    .option('--profile <name>', 'profile of ~/.aws/config and ~/.aws/credentials (default: AWS_PROFILE)')
    .option('--path-style', 'address buckets as endpoint/bucket (the default with --endpoint-url)')
    .option('--connect-timeout <duration>', 'give up connecting to the endpoint after this long, e.g. 10s (default 10s)', parseDurationMs)
    .option('--timeout <duration>', 'give up on a request after this long without a byte moving, e.g. 30s, 5m (default 30s)', parseDurationMs)
    .addOption(new Option('--transport <lane>', 'request lane: sdk (the AWS SDK for every request) or lean (listing pages after the first without the SDK\'s middleware and XML parser)').choices(['sdk', 'lean']));
}

/** Adds the output flags of commands that transfer. */
export function addOutputFlags(command: Command): Command {
  return command
    .option('--json', 'print one JSON object per event and a final summary, nothing else, on stdout')
    .option('--no-progress', 'no progress bar')
    .option('--only-show-errors', 'print only warnings and errors')
    .option('--quiet', 'print nothing but errors')
    .option('--debug', 'print stack traces of errors');
}

/**
 * The sync settings the flags describe: everything but locations and connection. These are
 * also what a plan file records, so they are plain JSON.
 */
export function syncSettings(
  flags: SyncFlags,
  rules: readonly FilterRule[],
  target: string,
  env: Readonly<Record<string, string | undefined>> = {},
): Omit<SyncOptions, 'source' | 'target' | 'dryRun'> {
  const upload: UploadOptions = dropUndefined({
    storageClass: flags.storageClass,
    sse: flags.sse === true ? 'AES256' : (flags.sse as UploadOptions['sse']),
    sseKmsKeyId: flags.sseKmsKeyId,
    acl: flags.acl,
    contentType: flags.contentType,
    cacheControl: flags.cacheControl,
    metadata: flags.metadata,
  });
  if (upload.sseKmsKeyId !== undefined && upload.sse === undefined) {
    throw new InvalidArgumentError('--sse-kms-key-id needs --sse aws:kms.');
  }
  // aws-cli takes any part size with the default threshold; here a part size above the default
  // threshold raises the threshold, and only an explicit smaller threshold is refused.
  let multipartThreshold = flags.multipartThreshold;
  if (flags.partSize !== undefined) {
    if (multipartThreshold === undefined && flags.partSize > DEFAULT_MULTIPART_THRESHOLD) multipartThreshold = flags.partSize;
    if (multipartThreshold !== undefined && multipartThreshold < flags.partSize) {
      throw new InvalidArgumentError('--multipart-threshold must be at least --part-size.');
    }
  }
  return dropUndefined({
    delete: flags.delete,
    deleteExcluded: flags.deleteExcluded,
    maxDelete: flags.maxDelete,
    compare: flags.sizeOnly ? 'size-only' : flags.exactTimestamps ? 'exact-timestamps' : flags.checksum ? 'checksum' : undefined,
    followSymlinks: flags.followSymlinks,
    rules: rules.length > 0 ? [...rules] : undefined,
    ignorePatternFiles: flags.ignoreFile !== undefined && flags.ignoreFile.length > 0 ? flags.ignoreFile : undefined,
    ignoreFileName: flags.ignoreFileName,
    ignoreCase: flags.ignoreCase,
    concurrency: flags.concurrency,
    bandwidthLimit: flags.bwlimit,
    multipartThreshold,
    partSize: flags.partSize,
    upload: Object.keys(upload).length > 0 ? upload : undefined,
    storageClassRules: flags.storageClassRule,
    metadataDirective: flags.metadataDirective,
    multipartCopyThreshold: flags.multipartCopyThreshold,
    sourceConnection: sourceConnectionOf(flags),
    backup: backupSetting(flags, target),
    backupSuffix: flags.suffix,
    shard: flags.shard === undefined ? undefined : shardSetting(flags.shard, env),
  });
}

/** `--shard`: INDEX/COUNT, or auto from the orchestrator's variables; a bad value is a usage error. */
function shardSetting(text: string, env: Readonly<Record<string, string | undefined>>): Shard {
  try {
    return parseShard(text, env, '--shard');
  } catch (error) {
    if (error instanceof ConfigError) throw new InvalidArgumentError(error.message);
    throw error;
  }
}

/** `--backup-dir` (local targets) or `--backup-prefix` (S3 targets), checked against the target. */
function backupSetting(flags: SyncFlags, target: string): string | undefined {
  if (flags.backupDir !== undefined && flags.backupPrefix !== undefined) {
    throw new InvalidArgumentError('give --backup-dir (local targets) or --backup-prefix (S3 targets), not both.');
  }
  const isUrl = (value: string): boolean => /^[a-z][a-z0-9+.-]*:\/\//i.test(value);
  const targetInS3 = /^s3:\/\//i.test(target);
  if (flags.backupPrefix !== undefined) {
    if (!/^s3:\/\//i.test(flags.backupPrefix)) throw new InvalidArgumentError(`--backup-prefix takes s3://bucket/prefix/, got "${flags.backupPrefix}" (for a local target use --backup-dir DIR).`);
    if (!targetInS3) throw new InvalidArgumentError(`--backup-prefix is for S3 targets, and ${target} is a local directory: use --backup-dir DIR.`);
    return flags.backupPrefix;
  }
  if (flags.backupDir !== undefined) {
    if (isUrl(flags.backupDir)) throw new InvalidArgumentError(`--backup-dir takes a local directory, got "${flags.backupDir}" (for an S3 target use --backup-prefix s3://bucket/prefix/).`);
    if (targetInS3) throw new InvalidArgumentError(`--backup-dir is for local targets, and ${target} is in S3: use --backup-prefix s3://bucket/prefix/.`);
    // Absolute here, as the plan header's source and target are: `apply` may run in another directory.
    return resolve(flags.backupDir);
  }
  return undefined;
}

/**
 * Connection options from the flags and the environment. Credentials are left to the SDK's
 * default chain (environment, profiles, SSO, container and instance roles) and never printed.
 */
export function connectionOptions(flags: ConnectionFlags, env: Readonly<Record<string, string | undefined>>): S3ConnectionOptions {
  return dropUndefined({
    endpoint: flags.endpointUrl ?? nonEmpty(env.AWS_ENDPOINT_URL_S3) ?? nonEmpty(env.AWS_ENDPOINT_URL),
    region: flags.region ?? nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION),
    profile: flags.profile,
    forcePathStyle: flags.pathStyle === true ? true : undefined,
    connectTimeoutMs: flags.connectTimeout,
    timeoutMs: flags.timeout,
    transport: flags.transport,
  });
}

function readLines(file: string, flag: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InvalidArgumentError(`${flag}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)}).`);
  }
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function dropUndefined<T extends object>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T;
}
