import { Command } from 'commander';
import { ConfigError, createS3Client, jsonFileStore, parseLocation, updateState, type FilterRule } from 's3kit';
import { readBucketSetting } from 's3kit/admin';
import type { CliContext } from '../context.js';
import { describeError, reportCommandError } from '../describe-error.js';
import { EXIT_CODES_HELP, ExitCode } from '../exit-codes.js';
import { runSync, syncRequestOf } from '../run-sync.js';
import { addSyncCommandFlags, connectionOptions, stateFilePath, type SyncCommandFlags } from '../sync-flags.js';

const EXAMPLES = `
Examples:
  s3kit backup ./documents s3://backups/laptop/documents --delete
  s3kit restore s3://backups/laptop/documents ./documents-then --at 2026-11-01T00:00Z`;

/** How many finished backups the state file remembers per target. */
const KEPT_RECORDS = 100;

/** What the state file remembers of one finished backup. */
interface BackupRecord {
  readonly finishedAt: string;
  readonly exitCode: number;
}

/**
 * `s3kit backup SRC s3://bucket/prefix`: a sync into a versioned bucket. Versioning is checked
 * first (without it, what the sync overwrites or deletes would be gone); at the end it prints
 * the `restore` command for the moment the backup finished, and records that moment in the
 * state file.
 */
export function backupCommand(context: CliContext, setExitCode: (code: number) => void): Command {
  const rules: FilterRule[] = [];
  const command = new Command('backup')
    .description('sync into a versioned bucket (checked first), then print how to restore this moment')
    .argument('<source>', 'a local directory or s3://bucket/prefix')
    .argument('<target>', 's3://bucket/prefix in a bucket with versioning enabled');
  addSyncCommandFlags(command, rules);
  return command.addHelpText('after', `${EXAMPLES}\n${EXIT_CODES_HELP}`).action(async (source: string, target: string, flags: SyncCommandFlags) => {
    const { stdout, stderr } = context.streams;
    const connection = connectionOptions(flags, context.env);
    try {
      const location = parseLocation(target, 'target');
      if (location.kind !== 's3') {
        throw new ConfigError('target', `s3kit backup keeps history in a versioned bucket: the target must be s3://bucket/prefix, got ${target} (use s3kit sync for a local target).`);
      }
      const versioning = await readBucketSetting(createS3Client(connection), location.bucket, 'versioning', { signal: context.signal });
      if (versioning.status !== 'set' || versioning.value !== 'Enabled') {
        const now = versioning.status === 'set' ? `versioning is ${versioning.value}` : versioning.status === 'not-set' ? 'versioning was never turned on' : `the server does not support versioning (${versioning.reason})`;
        throw new ConfigError(
          'target',
          `s3://${location.bucket} keeps no history (${now}): what the backup overwrites or deletes would be gone. Turn it on with: s3kit bucket setup s3://${location.bucket} --versioning (or use s3kit sync to mirror without history).`,
        );
      }
    } catch (error) {
      setExitCode((await reportCommandError(stderr, error, connection, flags.debug === true)).code);
      return;
    }
    const code = await runSync(context, syncRequestOf(context, source, target, flags, rules));
    setExitCode(code);
    // Only a run that reached its end has a moment worth restoring to; a dry run changed nothing.
    if (flags.dryrun === true || (code !== ExitCode.ok && code !== ExitCode.deletesSkipped && code !== ExitCode.failures)) return;
    const finishedAt = new Date().toISOString();
    const restore = `s3kit restore ${target} ./restored --at ${finishedAt}`;
    if (flags.json === true) stdout.write(`${JSON.stringify({ type: 'backup', target, finishedAt, restoreCommand: restore })}\n`);
    else if (flags.quiet !== true) stdout.write(`Backup finished at ${finishedAt}. Restore this moment with:\n  ${restore}\n`);
    const stateFile = stateFilePath(flags, context.env);
    if (stateFile === undefined) return;
    try {
      await updateState<BackupRecord[]>(jsonFileStore(stateFile), `backups/${target}`, (records) => [...(records ?? []), { finishedAt, exitCode: code }].slice(-KEPT_RECORDS));
    } catch (error) {
      stderr.write(`s3kit: warning: the backup finished but could not be recorded in ${stateFile}: ${describeError(error, false)}\n`);
    }
  });
}
