import { createInterface } from 'node:readline';
import { Command, InvalidArgumentError, Option } from 'commander';
import { createBisyncer, escapeText, type BisyncConflict, type BisyncSummary, type ConflictChoice, type ConflictPolicy, type FilterRule } from 's3kit';
import type { CliContext } from '../context.js';
import { reportCommandError } from '../describe-error.js';
import { ExitCode } from '../exit-codes.js';
import { formatBytes, formatDuration } from '../output/format.js';
import { parseBwlimit, parseMaxDelete, parseMetadata, parseMultipartThreshold, parsePartSize, parsePositiveInteger, parseStorageClass } from '../values.js';
import { addConnectionFlags, addFilterFlags, connectionOptions, syncSettings, type ConnectionFlags, type FilterFlags, type SyncFlags } from '../sync-flags.js';

const EXAMPLES = `
Examples:
  s3kit bisync ./notes s3://my-bucket/notes --resync     # first run: merge both sides
  s3kit bisync ./notes s3://my-bucket/notes              # later runs: propagate changes both ways
  s3kit bisync ./notes s3://my-bucket/notes --conflict newer --dryrun
  s3kit bisync s3://bucket-a/shared s3://bucket-b/shared --exclude '*.tmp' --json`;

const BISYNC_EXIT_CODES = `
Rules (each key against what both sides held after the last run):
  changed or new on one side        copied to the other
  deleted on one side, unchanged    deleted on the other (after every copy succeeded)
  changed on one, deleted on other  the changed version is copied back
  changed or new on both            equal contents: nothing; else a conflict (--conflict)

Exit codes:
  0    success, including nothing to do
  1    some copies, renames or deletes failed (retried by the next run), or
       another run took the S3 lock over and this one stopped
  2    usage or configuration error, or the run was refused before changing
       anything: no baseline yet (--resync), changed filters (--resync), an
       empty side (--force), another run holds the pair's lock (local, or
       .s3kit-bisync.lock on an S3 side), a missing --access-check file
  3    a side's deletes were skipped (after failures) or refused (--max-delete)
  4    the S3 service failed after retries
  130  interrupted by SIGINT (Ctrl-C); 143 by SIGTERM. What was done is kept:
       a plain re-run continues, no --resync needed`;

const POLICIES = ['keep-both', 'newer', 'older', 'larger', 'path1', 'path2', 'ask'] as const;

type BisyncFlags = FilterFlags &
  ConnectionFlags &
  Pick<SyncFlags, 'storageClass' | 'sse' | 'sseKmsKeyId' | 'acl' | 'contentType' | 'cacheControl' | 'metadata' | 'concurrency' | 'bwlimit' | 'multipartThreshold' | 'partSize' | 'maxDelete' | 'dryrun'> & {
    resync?: boolean;
    conflict?: (typeof POLICIES)[number];
    force?: boolean;
    stateDir?: string;
    accessCheck?: string;
    s3Lock?: boolean;
    s3LockLease?: number;
    json?: boolean;
    debug?: boolean;
  };

/** `s3kit bisync <path1> <path2>`: two-way sync against the pair's baseline. */
export function bisyncCommand(context: CliContext, setExitCode: (code: number) => void): Command {
  const rules: FilterRule[] = [];
  const command = new Command('bisync')
    .description('two-way sync: propagate changes, new keys and deletes in both directions; conflicts keep both versions by default')
    .argument('<path1>', 'a local directory or s3://bucket/prefix')
    .argument('<path2>', 's3://bucket/prefix, or a local directory when path1 is in S3')
    .option('--resync', 'first run (or after changing filters): merge both sides as a union, deleting nothing')
    .addOption(new Option('--conflict <policy>', 'a key changed on both sides: keep-both (default; path2’s version renamed name.conflict-path2-DATE.ext), newer, older, larger, path1, path2, or ask (a terminal prompt)').choices(POLICIES))
    .option('--force', 'run although a side is empty and the last run’s is not, and delete past --max-delete')
    .option('--max-delete <n|n%>', 'most deletes per side, a count or a share of the last run’s keys (default 50%)', parseMaxDelete)
    .option('--dryrun', 'show what would be done, change nothing')
    .addOption(new Option('--dry-run', 'same as --dryrun').implies({ dryrun: true }))
    .option('--state-dir <dir>', 'where the pair’s baseline, journal and lock live (default: $XDG_STATE_HOME/s3kit/bisync)')
    .option('--access-check <key>', 'refuse to run unless this file (e.g. .s3kit-access-check) exists on both sides: a guard against an unmounted disk or a wrong prefix')
    .option('--no-s3-lock', 'do not write the lease lock .s3kit-bisync.lock on S3 sides (runs on other machines are then not excluded)')
    .option('--s3-lock-lease <seconds>', 'how long an S3 lock outlives a crashed holder (default 300)', parsePositiveInteger);
  addFilterFlags(command, rules);
  command
    .option('--storage-class <class>', 'storage class of uploaded objects', parseStorageClass)
    .addOption(new Option('--sse [algorithm]', 'server-side encryption: AES256 (default when given alone) or aws:kms').choices(['AES256', 'aws:kms']))
    .option('--sse-kms-key-id <id>', 'KMS key for --sse aws:kms')
    .option('--acl <acl>', 'canned ACL of uploaded objects')
    .option('--content-type <type>', 'Content-Type of every uploaded object (default: guessed per file)')
    .option('--cache-control <value>', 'Cache-Control of uploaded objects')
    .option('--metadata <k=v,...>', 'user metadata of uploaded objects', parseMetadata)
    .option('--concurrency <n>', 'copies in flight (default 16)', parsePositiveInteger)
    .option('--bwlimit <rate>', 'limit all copies together to this many bytes per second', parseBwlimit)
    .option('--multipart-threshold <size>', 'upload files this large in parts (default 16MB)', parseMultipartThreshold)
    .option('--part-size <size>', 'multipart part size (default 8MB)', parsePartSize);
  addConnectionFlags(command);
  command.option('--json', 'print one JSON object per event and a final summary on stdout').option('--debug', 'print stack traces of errors');
  return command.addHelpText('after', `${EXAMPLES}\n${BISYNC_EXIT_CODES}`).action(async (path1: string, path2: string, flags: BisyncFlags) => {
    const { stdout, stderr } = context.streams;
    const json = flags.json === true;
    const write = (record: Record<string, unknown>): void => {
      stdout.write(`${JSON.stringify(record)}\n`);
    };
    const connection = connectionOptions(flags, context.env);
    try {
      if (flags.ignoreFileName !== undefined) throw new InvalidArgumentError('--ignore-file-name is not supported by bisync: use --exclude or --ignore-file.');
      const stateDirectory = flags.stateDir ?? defaultStateDirectory(context.env);
      if (stateDirectory === undefined) throw new InvalidArgumentError('no state directory: set --state-dir, XDG_STATE_HOME or HOME.');
      const settings = syncSettings(flags, rules, path2);
      const ask = flags.conflict === 'ask';
      if (ask && (context.stdin ?? process.stdin).isTTY !== true) throw new InvalidArgumentError('--conflict ask needs a terminal; choose a policy instead.');
      const bisyncer = createBisyncer({
        path1,
        path2,
        stateDirectory,
        ...connection,
        ...dropUndefined({
          rules: settings.rules,
          ignorePatternFiles: settings.ignorePatternFiles,
          ignoreCase: settings.ignoreCase,
          concurrency: settings.concurrency,
          bandwidthLimit: settings.bandwidthLimit,
          multipartThreshold: settings.multipartThreshold,
          partSize: settings.partSize,
          upload: settings.upload,
          maxDelete: flags.maxDelete,
          resync: flags.resync,
          force: flags.force,
          dryRun: flags.dryrun,
          accessCheck: flags.accessCheck,
          s3Lock: flags.s3Lock,
          s3LockLeaseSeconds: flags.s3LockLease,
          conflict: ask ? undefined : (flags.conflict as ConflictPolicy | undefined),
          resolveConflict: ask ? prompter(context) : undefined,
        }),
      });
      const prefix = flags.dryrun === true ? '(dryrun) ' : '';
      bisyncer.on('warning', (warning) => (json ? write({ event: 'warning', ...warning }) : stderr.write(`warning: ${escapeText(warning.message)}\n`)));
      bisyncer.on('transferEnd', (event) => {
        if (json) write({ event: 'copied', ...event });
        else stdout.write(`${prefix}${event.from === event.to ? 'renamed' : 'copied'} ${event.from} → ${event.to}  ${escapeText(event.key)}\n`);
      });
      bisyncer.on('deleted', (event) => (json ? write({ event: 'deleted', key: event.key, side: event.side }) : stdout.write(`${prefix}deleted in ${event.side}  ${escapeText(event.key)}\n`)));
      bisyncer.on('conflict', (event) => {
        if (json) write({ event: 'conflict', key: event.conflict.key, reason: event.conflict.reason, choice: event.choice, conflictKey: event.conflictKey });
        else stdout.write(`${prefix}${conflictLine(event.conflict.key, event.choice, event.conflictKey)}\n`);
      });
      bisyncer.on('failed', (event) => (json ? write({ event: 'failed', key: event.key, side: event.side, message: event.error.message }) : stderr.write(`failed: ${escapeText(event.key)}: ${escapeText(event.error.message)}\n`)));
      bisyncer.on('deletesSkipped', (event) => (json ? write({ event: 'deletesSkipped', ...event }) : stderr.write(`${escapeText(event.message)}\n`)));
      const summary = await bisyncer.run({ signal: context.signal });
      if (json) write({ event: 'summary', ...summary });
      else stdout.write(summaryLines(summary));
      setExitCode(exitCode(summary));
    } catch (error) {
      if (context.signal?.aborted === true) return setExitCode(ExitCode.interrupted);
      if (error instanceof InvalidArgumentError) {
        stderr.write(`s3kit: ${error.message}\n`);
        if (json) write({ event: 'error', message: error.message });
        return setExitCode(ExitCode.usage);
      }
      const { code, message } = await reportCommandError(stderr, error, connection, flags.debug === true);
      if (json) write({ event: 'error', message });
      setExitCode(code);
    }
  });
}

function exitCode(summary: BisyncSummary): number {
  if (summary.aborted) return ExitCode.interrupted;
  if (summary.deletesSkipped.length > 0) return ExitCode.deletesSkipped;
  return summary.failedCount > 0 ? ExitCode.failures : ExitCode.ok;
}

function conflictLine(key: string, choice: ConflictChoice, conflictKey: string | undefined): string {
  const name = escapeText(key);
  switch (choice) {
    case 'keep-both':
      return `conflict ${name}: both kept, path2’s version as ${escapeText(conflictKey ?? '?')}`;
    case 'skip':
      return `conflict ${name}: skipped, both sides left as they are`;
    default:
      return `conflict ${name}: ${choice}’s version kept on both sides`;
  }
}

function summaryLines(summary: BisyncSummary): string {
  const tally = (t: { count: number; bytes: number }): string => `${t.count} (${formatBytes(t.bytes)})`;
  const lines = [
    `Bisync${summary.dryRun ? ' (dryrun)' : ''}${summary.resync ? ' (resync)' : ''}: ${tally(summary.copiedToPath2)} copied to path2, ${tally(summary.copiedToPath1)} copied to path1, ` +
      `${summary.deletedInPath2.count} deleted in path2, ${summary.deletedInPath1.count} deleted in path1, ${summary.unchanged} unchanged, ` +
      `${summary.conflictCount} conflict(s), ${summary.failedCount} failed, in ${formatDuration(summary.durationMs)}.`,
  ];
  return `${lines.join('\n')}\n`;
}

/** `--conflict ask`: shows both versions and reads (1) path1, (2) path2, (k)eep both, (s)kip. */
function prompter(context: CliContext): (conflict: BisyncConflict) => Promise<ConflictChoice> {
  return async (conflict) => {
    const { stdout } = context.streams;
    const when = (ms: number): string => new Date(ms).toISOString();
    stdout.write(
      `\nConflict: ${escapeText(conflict.key)} (${conflict.reason})\n` +
        `  (1) path1: ${formatBytes(conflict.path1.size)}, modified ${when(conflict.path1.mtimeMs)}\n` +
        `  (2) path2: ${formatBytes(conflict.path2.size)}, modified ${when(conflict.path2.mtimeMs)}\n`,
    );
    // Lines are read through the interface's iterator, which keeps those typed ahead (question()
    // would drop a line that arrives between two questions); the end of input skips the conflict.
    const reader = createInterface({ input: context.stdin ?? process.stdin, terminal: false });
    const question = 'Keep (1) path1, (2) path2, (k)eep both, (s)kip? ';
    try {
      stdout.write(question);
      for await (const line of reader) {
        const answer = line.trim().toLowerCase();
        if (answer === '1') return 'path1';
        if (answer === '2') return 'path2';
        if (answer === 'k') return 'keep-both';
        if (answer === 's') return 'skip';
        stdout.write(question);
      }
      return 'skip';
    } finally {
      reader.close();
    }
  };
}

function defaultStateDirectory(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const nonEmpty = (value: string | undefined): string | undefined => (value === undefined || value === '' ? undefined : value);
  const base = nonEmpty(env.XDG_STATE_HOME) ?? (nonEmpty(env.HOME) === undefined ? undefined : `${env.HOME}/.local/state`);
  return base === undefined ? undefined : `${base}/s3kit/bisync`;
}

function dropUndefined<T extends object>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T;
}
