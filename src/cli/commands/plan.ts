import { Command } from 'commander';
import { createSyncer, escapeText, formatLocation, planFileHeader, type Action, type FilterRule } from 's3kit';
import type { CliContext } from '../context.js';
import { describeError } from '../describe-error.js';
import { EXIT_CODES_HELP, exitCodeForError, ExitCode } from '../exit-codes.js';
import { formatBytes } from '../output/format.js';
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
  command.option('--json', 'print the plan as NDJSON: a header, one action per line, a summary').option('--debug', 'print stack traces of errors');
  return command
    .addHelpText('after', `${EXAMPLES}\n${EXIT_CODES_HELP}`)
    .action(async (source: string, target: string, flags: SyncFlags & ConnectionFlags & { json?: boolean; debug?: boolean }) => {
      const sseC = sseCOptionsOf(flags);
      const { stdout, stderr } = redactingKeys(context, sseC).streams;
      try {
        const settings = syncSettings(flags, rules, target);
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

/** A plan file is shared and reviewed: an endpoint's URL password (which S3 signing never uses) stays out of it. */
function withoutPassword(endpoint: string | undefined): string | undefined {
  if (endpoint === undefined) return undefined;
  try {
    const url = new URL(endpoint);
    if (url.password === '') return endpoint;
    url.password = '';
    return url.toString().replace(/\/$/, endpoint.endsWith('/') ? '/' : '');
  } catch {
    return endpoint;
  }
}
