import { Command, InvalidArgumentError, Option } from 'commander';
import { resolve } from 'node:path';
import { ConfigError, createS3Client, escapeText, formatLocation, parseLocation, type Location, type S3ConnectionOptions, type S3Location } from 's3kit';
import {
  listVersions,
  parsePointInTime,
  planRestore,
  restoreInBucket,
  readRestorePlanLines,
  restorePlanHeader,
  restoreToLocal,
  type ObjectVersion,
  type RestoreAction,
  type RestoreEvent,
  type RestorePlanSettings,
  type RestoreSummary,
} from 's3kit/versions';
import type { CliContext } from '../context.js';
import { reportCommandError } from '../describe-error.js';
import { ExitCode } from '../exit-codes.js';
import { formatBytes, formatDuration } from '../output/format.js';
import { endpointMismatch, withoutPassword } from '../plan-endpoint.js';
import { addConnectionFlags, connectionOptions, type ConnectionFlags } from '../sync-flags.js';
import { parsePositiveInteger } from '../values.js';

type ListFlags = ConnectionFlags & { key?: string; json?: boolean; debug?: boolean };
type RestoreFlags = ConnectionFlags & { at: Date; delete?: boolean; dryrun?: boolean; plan?: boolean; concurrency?: number; json?: boolean; debug?: boolean };

const RESTORE_EXAMPLES = `
Examples:
  s3kit restore s3://my-bucket/www ./www-then --at 2026-11-01T00:00Z         # download that moment
  s3kit restore s3://my-bucket/www ./www --at 2026-11-01T00:00Z --delete     # and remove what did not exist then
  s3kit restore s3://my-bucket/www s3://my-bucket/www --at 2026-11-01T09:30+01:00 --dryrun   # undo, shown first
  s3kit restore s3://my-bucket/www s3://my-bucket/www --at 2026-11-01T00:00Z --plan --json > undo.ndjson
  s3kit apply undo.ndjson                                                   # exactly that plan, or nothing

With --plan, nothing is changed: the actions are printed (a restore plan file with --json).
s3kit apply runs a saved plan only if a fresh plan equals it: the same keys, the same versions
to put back, and the same current versions (in place) or local files (size and mtime) to
replace or remove. Otherwise it changes nothing, names the first difference and exits with 2.

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
    .option('--plan', 'print the plan (a restore plan file for `s3kit apply` with --json), change nothing')
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
    if (flags.plan === true) {
      const settings = { delete: flags.delete, concurrency: flags.concurrency, connection: withoutSecrets(connection) };
      return setExitCode(await printRestorePlan(context, { source, target, at: flags.at, settings, json, debug: flags.debug === true }));
    }
    const write = (record: Record<string, unknown>): void => {
      stdout.write(`${JSON.stringify(record)}\n`);
    };
    const onEvent = restoreEventPrinter(context, json);
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

/** What `s3kit apply` passes for a restore plan file. */
export interface ApplyRestoreRequest {
  readonly lines: AsyncIterable<string>;
  readonly flags: ConnectionFlags & { dryrun?: boolean; json?: boolean; debug?: boolean };
}

/**
 * `s3kit apply <restore plan>`: plans the same restore afresh and runs it only if it equals the
 * saved plan (exit 2 naming the first difference otherwise, nothing changed).
 */
export async function applyRestorePlan(context: CliContext, request: ApplyRestoreRequest): Promise<number> {
  const { stdout, stderr } = context.streams;
  const { flags } = request;
  const json = flags.json === true;
  const current = connectionOptions(flags, context.env);
  try {
    const plan = await readRestorePlanLines(request.lines);
    const saved = plan.header.settings.connection ?? {};
    // The plan was reviewed against one service: applying it to another would write what nobody reviewed.
    const mismatch = endpointMismatch(saved.endpoint, current.endpoint);
    if (mismatch !== undefined) {
      stderr.write(`s3kit: ${mismatch}\n`);
      return ExitCode.usage;
    }
    const connection = { ...saved, ...dropUndefined(current) };
    const source = parseLocation(plan.header.source, 'the plan\'s source');
    const target = parseLocation(plan.header.target, 'the plan\'s target');
    if (source.kind !== 's3' || target.kind === 'manifest') throw new ConfigError('plan', 'the restore plan names a source that is not s3://… or a target that is neither a directory nor the source; make a new plan.');
    const onEvent = restoreEventPrinter(context, json);
    const common = {
      client: createS3Client(connection),
      at: new Date(plan.header.at),
      dryRun: flags.dryrun === true,
      concurrency: plan.header.settings.concurrency,
      onEvent,
      signal: context.signal,
      expectedPlan: plan.actions,
    };
    const summary =
      target.kind === 's3'
        ? await restoreInBucket({ ...common, location: source })
        : await restoreToLocal({ ...common, source, target: target.path, delete: plan.header.settings.delete === true });
    if (json) stdout.write(`${JSON.stringify({ event: 'summary', ...summary })}\n`);
    else stdout.write(`${summaryLine(summary, target.kind === 's3')}\n`);
    return summary.failed === 0 ? ExitCode.ok : summary.deletesSkipped ? ExitCode.deletesSkipped : ExitCode.failures;
  } catch (error) {
    if (context.signal?.aborted === true) return ExitCode.interrupted;
    const { code, message } = await reportCommandError(stderr, error, current, flags.debug === true);
    if (json) stdout.write(`${JSON.stringify({ event: 'error', message })}\n`);
    return code;
  }
}

/** Prints restore events: a line each (failures on stderr), or JSON objects. */
function restoreEventPrinter(context: CliContext, json: boolean): (event: RestoreEvent) => void {
  const { stdout, stderr } = context.streams;
  return (event) => {
    if (json) {
      const { type, ...fields } = event;
      if (type !== 'unchanged') stdout.write(`${JSON.stringify({ event: type, ...fields })}\n`);
      return;
    }
    const line = eventLine(event);
    if (line !== undefined) (event.type === 'failed' ? stderr : stdout).write(`${line}\n`);
  };
}

interface RestorePlanRequest {
  readonly source: S3Location;
  readonly target: Location;
  readonly at: Date;
  readonly settings: RestorePlanSettings;
  readonly json: boolean;
  readonly debug: boolean;
}

/** `s3kit restore … --plan`: the actions, readable or as a restore plan file; changes nothing. */
async function printRestorePlan(context: CliContext, request: RestorePlanRequest): Promise<number> {
  const { stdout, stderr } = context.streams;
  const { source, target, at, settings, json } = request;
  const { connection, ...rest } = settings;
  try {
    const client = createS3Client({ ...connection });
    const targetLocation = target.kind === 's3' ? target : resolve(target.kind === 'local' ? target.path : '.');
    const actions = planRestore({ client, source, target: targetLocation, at, delete: rest.delete, concurrency: rest.concurrency, signal: context.signal });
    const first = await actions.next(); // checks the target and versioning before any output
    if (json) {
      const targetText = typeof targetLocation === 'string' ? targetLocation : formatLocation(targetLocation);
      stdout.write(`${JSON.stringify(restorePlanHeader(formatLocation(source), targetText, at, dropUndefined(settings)))}\n`);
    }
    const counts = { restore: 0, restoreBytes: 0, delete: 0 };
    const each = async function* (): AsyncGenerator<RestoreAction> {
      if (first.done !== true) yield first.value;
      yield* actions;
    };
    for await (const action of each()) {
      if (action.type === 'restore') {
        counts.restore++;
        counts.restoreBytes += action.version.size;
      } else counts.delete++;
      stdout.write(json ? `${JSON.stringify({ type: 'action', action })}\n` : `${planLine(action, target.kind === 's3')}\n`);
    }
    if (json) stdout.write(`${JSON.stringify({ type: 'summary', ...counts })}\n`);
    else {
      stdout.write(
        `Restore plan to ${at.toISOString()}: ${counts.restore} to restore (${formatBytes(counts.restoreBytes)}), ` +
          `${counts.delete} to delete${target.kind === 's3' ? ' (delete markers)' : ''}. Nothing was changed.\n`,
      );
    }
    return ExitCode.ok;
  } catch (error) {
    if (context.signal?.aborted === true) return ExitCode.interrupted;
    const { code, message } = await reportCommandError(stderr, error, connection ?? {}, request.debug);
    if (json) stdout.write(`${JSON.stringify({ type: 'error', message })}\n`);
    return code;
  }
}

function planLine(action: RestoreAction, inPlace: boolean): string {
  if (action.type === 'delete') return `delete   ${' '.repeat(11)}  ${escapeText(action.key)}${inPlace ? ' (a delete marker)' : ''}`;
  const replaced = action.replaces === null ? 'new file' : action.replaces.deleteMarker === true ? 'deleted now' : inPlace ? `replaces version ${action.replaces.versionId}` : 'replaces the local file';
  return `restore  ${formatBytes(action.version.size).padStart(11)}  ${escapeText(action.key)}  (version ${action.version.versionId} of ${action.version.lastModified}; ${replaced})`;
}

/** A plan file is shared and reviewed: the connection without keys (it never holds any) or a URL password. */
function withoutSecrets(connection: S3ConnectionOptions): NonNullable<RestorePlanSettings['connection']> {
  const { endpoint, region, profile, forcePathStyle, connectTimeoutMs, timeoutMs } = connection;
  return dropUndefined({ endpoint: withoutPassword(endpoint), region, profile, forcePathStyle, connectTimeoutMs, timeoutMs });
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
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
