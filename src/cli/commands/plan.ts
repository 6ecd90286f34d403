import { Command, Option } from 'commander';
import { ConfigError, createSyncer, escapeText, formatLocation, planFileHeader, type Action, type FilterRule, type Syncer } from 's3kit';
import type { CliContext } from '../context.js';
import { describeError } from '../describe-error.js';
import { EXIT_CODES_HELP, exitCodeForError, ExitCode } from '../exit-codes.js';
import { formatBytes } from '../output/format.js';
import { withoutPassword } from '../plan-endpoint.js';
import { addConnectionFlags, addSyncFlags, connectionOptions, syncSettings, type ConnectionFlags, type SyncFlags } from '../sync-flags.js';
import { redactingKeys, sseCKeyDigests, sseCOptionsOf } from '../sse-c-flags.js';

const EXAMPLES = `
Examples:
  s3kit plan ./site s3://my-bucket/www --delete              # a readable table
  s3kit plan ./site s3://my-bucket/www --delete --json > plan.ndjson
  s3kit apply plan.ndjson                                    # executes exactly that plan`;

/** `s3kit plan <source> <target>`: prints the plan, executes nothing. */
export function planCommand(context: CliContext, setExitCode: (code: number) => void): Command {
  const rules: FilterRule[] = [];
  const command = new Command('plan')
    .description('print what a sync would do (NDJSON with --json, a plan file for `apply`), executing nothing')
    .argument('<source>', 'a local directory or s3://bucket/prefix')
    .argument('<target>', 's3://bucket/prefix or a local directory');
  addSyncFlags(command, rules);
  addConnectionFlags(command);
  command
    .option('--json', 'print the plan as NDJSON: a header, one action per line, a summary')
    .addOption(
      new Option('--format <format>', 'table (default), json (as --json), or s3-batch-manifest: the objects to copy as an S3 Batch Operations CSV manifest (for s3kit batch submit)').choices([
        'table',
        'json',
        's3-batch-manifest',
      ]),
    )
    .option('--debug', 'print stack traces of errors');
  return command
    .addHelpText('after', `${EXAMPLES}\n${EXIT_CODES_HELP}`)
    .action(async (source: string, target: string, flags: SyncFlags & ConnectionFlags & { json?: boolean; format?: string; debug?: boolean }) => {
      const sseC = sseCOptionsOf(flags);
      const { stdout, stderr } = redactingKeys(context, sseC).streams;
      if (flags.format === 'json') flags.json = true;
      try {
        if (flags.format === 's3-batch-manifest') {
          const syncer = createSyncer({ source, target, ...syncSettings(flags, rules, target, context.env), ...sseC, ...connectionOptions(flags, context.env) });
          syncer.on('warning', ({ message }) => stderr.write(`warning: ${escapeText(message)}\n`));
          return setExitCode(await writeBatchManifest(context, syncer));
        }
        const settings = syncSettings(flags, rules, target, context.env);
        const connection = connectionOptions(flags, context.env);
        const syncer = createSyncer({ source, target, ...settings, ...sseC, ...connection });
        syncer.on('warning', ({ message }) => stderr.write(`warning: ${escapeText(message)}\n`));
        const counts: Record<Action['type'], { count: number; bytes: number }> = {
          copy: { count: 0, bytes: 0 },
          update: { count: 0, bytes: 0 },
          delete: { count: 0, bytes: 0 },
          skip: { count: 0, bytes: 0 },
        };
        if (flags.json === true) {
          // Connections hold no secrets here: credentials always come from the SDK's chain.
          // SSE-C keys stay out of the plan; their MD5s let apply insist on the same keys.
          const header = planFileHeader(formatLocation(syncer.source), formatLocation(syncer.target), {
            ...settings,
            ...sseCKeyDigests(sseC),
            connection: { ...connection, endpoint: withoutPassword(connection.endpoint) },
          });
          stdout.write(`${JSON.stringify(header)}\n`);
        }
        for await (const action of syncer.plan({ signal: context.signal })) {
          const size = sizeOf(action);
          counts[action.type].count++;
          counts[action.type].bytes += size;
          if (flags.json === true) stdout.write(`${JSON.stringify({ type: 'action', action })}\n`);
          else if (action.type !== 'skip') stdout.write(`${action.type.padEnd(7)}${formatBytes(size).padStart(11)}  ${escapeText(action.key)}  (${action.reason})${storageText(action)}\n`);
        }
        if (flags.json === true) stdout.write(`${JSON.stringify({ type: 'summary', ...counts })}\n`);
        else {
          stdout.write(
            `Plan: ${counts.copy.count} to copy (${formatBytes(counts.copy.bytes)}), ${counts.update.count} to update ` +
              `(${formatBytes(counts.update.bytes)}), ${counts.delete.count} to delete, ${counts.skip.count} unchanged or kept.\n`,
          );
        }
        setExitCode(ExitCode.ok);
      } catch (error) {
        if (context.signal?.aborted === true) return setExitCode(ExitCode.interrupted);
        stderr.write(`s3kit: ${describeError(error, flags.debug === true)}\n`);
        setExitCode(exitCodeForError(error));
      }
    });
}

/** ` → STANDARD_IA (rule 0)` for a copy or update whose class a storage-class rule chose (or the fallback). */
function storageText(action: Action): string {
  if ((action.type !== 'copy' && action.type !== 'update') || action.storageClass === undefined) return '';
  return ` → ${action.storageClass}${action.storageClassRule === undefined ? '' : ` (rule ${action.storageClassRule})`}`;
}

function sizeOf(action: Action): number {
  if (action.type === 'delete') return action.target.size;
  return action.type === 'skip' ? (action.source?.size ?? action.target?.size ?? 0) : action.source.size;
}

/**
 * `--format s3-batch-manifest`: the objects the plan copies, one Batch Operations CSV line each
 * (no header). A copy job keeps each whole key, so the plan must map keys unchanged (an S3 → S3
 * sync whose target prefix ends with its source prefix, or a copy list without renames); the
 * TargetKeyPrefix to submit with is printed on stderr. Deletes cannot be part of a copy job.
 */
async function writeBatchManifest(context: CliContext, syncer: Syncer): Promise<number> {
  const { stdout, stderr } = context.streams;
  const { source, target } = syncer;
  // s3kit/admin only for this format: a plain plan loads no administration code.
  const { batchManifestLine, batchSourceObject, batchTargetKeyPrefix } = await import('s3kit/admin');
  if (target.kind !== 's3' || source.kind === 'local') {
    throw new ConfigError('format', '--format s3-batch-manifest lists S3 objects for a Batch Operations copy: the source must be s3://… or a copy list (manifest of s3:// lines) and the target s3://….');
  }
  const keyPrefix = source.kind === 's3' ? batchTargetKeyPrefix(source.prefix, target.prefix) : target.prefix;
  let lines = 0;
  let deletes = 0;
  for await (const action of syncer.plan({ signal: context.signal })) {
    if (action.type === 'delete') deletes++;
    if (action.type !== 'copy' && action.type !== 'update') continue;
    const object = batchSourceObject(source, action.source);
    if (object === undefined) throw new ConfigError('format', `${JSON.stringify(action.key)} comes from a URL, not from S3: only s3:// sources can be copied by Batch Operations.`);
    if (target.prefix + action.key !== keyPrefix + object.key) {
      throw new ConfigError('format', `the copy list puts s3://${object.bucket}/${object.key} at ${JSON.stringify(action.key)}; a Batch Operations copy keeps keys unchanged (drop the renaming tab, or run s3kit sync).`);
    }
    stdout.write(`${batchManifestLine(object.bucket, object.key, object.versionId)}\n`);
    lines++;
  }
  stderr.write(
    `${lines} object(s) in the manifest. Upload it, then: s3kit batch submit --manifest s3://BUCKET/KEY --target s3://${target.bucket}/${keyPrefix} --role-arn ARN --report s3://BUCKET/PREFIX --account-id ID\n`,
  );
  if (deletes > 0) stderr.write(`warning: ${deletes} delete(s) of the plan are not in the manifest (a Batch Operations copy job deletes nothing); run s3kit sync --delete afterwards.\n`);
  return ExitCode.ok;
}
