import { Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError, createS3Client, escapeText, formatLocation, parseLocation, type Location, type S3Location } from 's3kit';
import { listVersions, parsePointInTime, restoreInBucket, restoreToLocal, type ObjectVersion, type RestoreEvent, type RestoreSummary } from 's3kit/versions';
import type { CliContext } from '../context.js';
import { reportCommandError } from '../describe-error.js';
import { ExitCode } from '../exit-codes.js';
import { formatBytes, formatDuration } from '../output/format.js';
import { addConnectionFlags, connectionOptions, type ConnectionFlags } from '../sync-flags.js';
import { parsePositiveInteger } from '../values.js';

type ListFlags = ConnectionFlags & { key?: string; json?: boolean; debug?: boolean };
type RestoreFlags = ConnectionFlags & { at: Date; delete?: boolean; dryrun?: boolean; concurrency?: number; json?: boolean; debug?: boolean };

const RESTORE_EXAMPLES = `
Examples:
  s3kit restore s3://my-bucket/www ./www-then --at 2026-11-01T00:00Z         # download that moment
  s3kit restore s3://my-bucket/www ./www --at 2026-11-01T00:00Z --delete     # and remove what did not exist then
  s3kit restore s3://my-bucket/www s3://my-bucket/www --at 2026-11-01T09:30+01:00 --dryrun   # undo, shown first

Restoring in place (the target is the source itself) copies each key's old version over it
server-side and puts delete markers on keys that did not exist then: every replaced version
stays in the bucket's history, so a restore can itself be undone.

Exit codes:
  0    restored (or nothing to do)
  1    some keys could not be restored or deleted (see the messages)
  2    usage or configuration error (bad --at, a target other than the source
       bucket and prefix, a bucket without versioning, denied access...)
  3    --delete: local deletes skipped because a download failed
  4    the S3 service failed after retries; try again later
  130  interrupted by SIGINT (Ctrl-C); 143 by SIGTERM. No partial file is left`;

/** `--at`: ISO 8601 with its zone, refused as a usage error otherwise. */
function parseAt(value: string): Date {
  try {
    return parsePointInTime(value, '--at');
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message.replace(/^--at "[^"]*" is /, 'It is ') : String(error));
  }
}

/** A location argument; one that cannot be parsed is a usage error naming the argument. */
function locationArgument(text: string, name: string): Location {
  try {
    return parseLocation(text, name);
  } catch (error) {
    if (error instanceof ConfigError) throw new InvalidArgumentError(error.message);
    throw error;
  }
}

function s3Argument(url: string, name: string): S3Location {
  const location = locationArgument(url, name);
  if (location.kind !== 's3') throw new InvalidArgumentError(`${name} ${JSON.stringify(url)} must be an s3://bucket[/prefix] URL (a versioned bucket).`);
  return location;
}

/** `s3kit versions list <s3-url>`: every version and delete marker, streaming. */
export function versionsCommand(context: CliContext, setExitCode: (code: number) => void): Command {
  const { stdout, stderr } = context.streams;
  const list = new Command('list')
    .description('list every version and delete marker under a prefix, newest first within each key')
    .argument('<s3-url>', 's3://bucket[/prefix] of a versioned bucket')
    .option('--key <key>', 'only this key (relative to the prefix)')
    .option('--json', 'one JSON object per version or delete marker')
    .option('--debug', 'print stack traces of errors');
  addConnectionFlags(list).action(async (url: string, flags: ListFlags) => {
    const connection = connectionOptions(flags, context.env);
    try {
      const location = s3Argument(url, '<s3-url>');
      let count = 0;
      const versions = listVersions(createS3Client(connection), location, { key: flags.key, signal: context.signal });
      for await (const version of versions) {
        count++;
        stdout.write(flags.json === true ? `${JSON.stringify(version)}\n` : `${versionLine(version)}\n`);
      }
      if (flags.json !== true && count === 0) stdout.write(`No versions under ${escapeText(formatLocation(location))}${flags.key === undefined ? '' : ` for the key ${escapeText(JSON.stringify(flags.key))}`}.\n`);
      setExitCode(ExitCode.ok);
    } catch (error) {
      if (error instanceof InvalidArgumentError) throw error;
      if (context.signal?.aborted === true) return setExitCode(ExitCode.interrupted);
      setExitCode((await reportCommandError(stderr, error, connection, flags.debug === true)).code);
    }
  });
  return new Command('versions')
    .description('versioned buckets: list the versions of keys (restore a point in time with s3kit restore)')
    .addCommand(list)
    .addHelpText('after', '\nExamples:\n  s3kit versions list s3://my-bucket/www\n  s3kit versions list s3://my-bucket/www --key index.html --json');
}

/** `s3kit restore <s3-url> <dir | same s3-url> --at T`: a point in time, to a directory or in place. */
export function restoreCommand(context: CliContext, setExitCode: (code: number) => void): Command {
  const { stdout, stderr } = context.streams;
  const command = new Command('restore')
    .description('restore the state of a versioned bucket prefix at a point in time: download it to a local directory, or put it back in place (undo)')
    .argument('<source>', 's3://bucket[/prefix] of a versioned bucket')
    .argument('<target>', 'a local directory, or the source itself to restore in place')
    .requiredOption('--at <time>', 'the point in time, ISO 8601 with Z or an offset, e.g. 2026-11-01T00:00Z', parseAt)
    .option('--delete', 'local target: remove files whose key did not exist at --at (after every download succeeded)')
    .option('--dryrun', 'show what would be restored or deleted, change nothing')
    .addOption(new Option('--dry-run', 'same as --dryrun').implies({ dryrun: true }))
    .option('--concurrency <n>', 'keys restored at once (default 4)', parsePositiveInteger)
    .option('--json', 'one JSON object per key restored or deleted (and failure), then a summary')
    .option('--debug', 'print stack traces of errors');
  addConnectionFlags(command);
  return command.addHelpText('after', RESTORE_EXAMPLES).action(async (sourceUrl: string, targetArg: string, flags: RestoreFlags) => {
    const json = flags.json === true;
    const source = s3Argument(sourceUrl, '<source>');
    const target = locationArgument(targetArg, '<target>');
    if (target.kind === 'manifest') throw new InvalidArgumentError(`<target> ${JSON.stringify(targetArg)} must be a local directory or the source itself.`);
    if (target.kind === 's3') {
      if (target.bucket !== source.bucket || target.prefix !== source.prefix) {
        throw new InvalidArgumentError(
          `<target> ${formatLocation(target)} is not the source ${formatLocation(source)}: a restore to S3 puts old versions back in place, in the same bucket and prefix. ` +
            'To get a point in time elsewhere, restore to a local directory (or restore in place, then sync).',
        );
      }
      if (flags.delete === true) {
        throw new InvalidArgumentError('--delete applies to a local target: a restore in place always puts delete markers on the keys that did not exist at --at.');
      }
    }
    const connection = connectionOptions(flags, context.env);
    const write = (record: Record<string, unknown>): void => {
      stdout.write(`${JSON.stringify(record)}\n`);
    };
    const onEvent = (event: RestoreEvent): void => {
      if (json) {
        const { type, ...fields } = event;
        if (type !== 'unchanged') write({ event: type, ...fields });
        return;
      }
      const line = eventLine(event);
      if (line === undefined) return;
      (event.type === 'failed' ? stderr : stdout).write(`${line}\n`);
    };
    try {
      const client = createS3Client(connection);
      const common = { client, at: flags.at, dryRun: flags.dryrun === true, concurrency: flags.concurrency, onEvent, signal: context.signal };
      const summary =
        target.kind === 's3'
          ? await restoreInBucket({ ...common, location: source })
          : await restoreToLocal({ ...common, source, target: target.path, delete: flags.delete === true });
      if (json) write({ event: 'summary', ...summary });
      else stdout.write(`${summaryLine(summary, target.kind === 's3')}\n`);
      setExitCode(summary.failed === 0 ? ExitCode.ok : summary.deletesSkipped ? ExitCode.deletesSkipped : ExitCode.failures);
    } catch (error) {
      if (context.signal?.aborted === true) return setExitCode(ExitCode.interrupted);
      const { code, message } = await reportCommandError(stderr, error, connection, flags.debug === true);
      if (json) write({ event: 'error', message });
      setExitCode(code);
    }
  });
}

function versionLine(version: ObjectVersion): string {
  const what = version.deleteMarker ? 'delete marker' : formatBytes(version.size);
  return `${version.lastModified.toISOString()}  ${what.padStart(13)}  ${version.isLatest ? 'latest' : '      '}  ${version.versionId}  ${escapeText(version.key)}`;
}

function eventLine(event: RestoreEvent): string | undefined {
  switch (event.type) {
    case 'restore':
      return `${event.dryRun ? '(dryrun) ' : ''}restore: ${escapeText(event.key)} (${formatBytes(event.size)}, version ${event.versionId} of ${event.lastModified.toISOString()})`;
    case 'delete':
      return `${event.dryRun ? '(dryrun) ' : ''}delete: ${escapeText(event.key)}`;
    case 'failed':
      return `failed: ${escapeText(event.key)}: ${escapeText(event.message)}`;
    case 'unchanged':
      return undefined;
  }
}

function summaryLine(summary: RestoreSummary, inPlace: boolean): string {
  const verb = summary.dryRun ? 'would be ' : '';
  const deleted = inPlace ? `${summary.deleted} ${verb}deleted (delete markers)` : `${summary.deleted} ${verb}deleted`;
  const note = summary.dryRun
    ? ' (dry run: nothing was changed)'
    : summary.deletesSkipped
      ? ' Local deletes were skipped because a key failed.'
      : '';
  return (
    `Restore to ${summary.at.toISOString()}: ${summary.restored} ${verb}restored (${formatBytes(summary.restoredBytes)}), ${summary.unchanged} unchanged, ` +
    `${deleted}, ${summary.failed} failed, in ${formatDuration(summary.durationMs)}.${note}`
  );
}
