import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Command } from 'commander';
import { isS3kitError, readPlanLines, type S3ConnectionOptions, type SyncOptions } from 's3kit';
import type { CliContext } from '../context.js';
import { describeError } from '../describe-error.js';
import { EXIT_CODES_HELP, exitCodeForError, ExitCode } from '../exit-codes.js';
import { endpointMismatch } from '../plan-endpoint.js';
import { runSync } from '../run-sync.js';
import { applyRestorePlan } from './versions.js';
import { addConnectionFlags, addDryRunFlags, addOutputFlags, addResumeFlags, connectionOptions, type ConnectionFlags, type OutputFlags, type ResumeFlags } from '../sync-flags.js';
import { addSseCFlags, sseCKeyDigests, sseCOptionsOf, type SseCFlags } from '../sse-c-flags.js';

const HELP = `
Applies both kinds of plan files: a sync's (s3kit plan --json) and a restore's
(s3kit restore … --at T --plan --json).

How a changed source or target is detected: apply lists both sides again and plans afresh with
the settings saved in the plan file. Unless every action, key, size, mtime and ETag equals the
saved plan, it transfers nothing, names the first difference and exits with 2.

Examples:
  s3kit plan ./site s3://my-bucket/www --delete --json > plan.ndjson
  s3kit apply plan.ndjson`;

/** `s3kit apply <plan-file>`: executes exactly a saved plan. */
export function applyCommand(context: CliContext, setExitCode: (code: number) => void): Command {
  const command = new Command('apply')
    .description('execute exactly the plan saved by `s3kit plan --json` (or `s3kit restore --plan --json`), refusing it if the source or target changed since')
    .argument('<plan-file>', 'a file written by `s3kit plan … --json` or `s3kit restore … --plan --json`');
  addDryRunFlags(command, 'check that the plan still holds and show what it would do; change nothing');
  addConnectionFlags(command);
  addOutputFlags(command);
  addResumeFlags(command);
  addSseCFlags(command);
  return command.addHelpText('after', `${HELP}\n${EXIT_CODES_HELP}`).action(async (planFile: string, flags: ConnectionFlags & OutputFlags & ResumeFlags & SseCFlags & { dryrun?: boolean }) => {
    let plan: Awaited<ReturnType<typeof readPlanLines>>;
    try {
      const input = createReadStream(planFile);
      const opened = new Promise<void>((resolve, reject) => input.once('open', () => resolve()).once('error', reject));
      await opened;
      const lines = peekable(createInterface({ input, crlfDelay: Infinity }));
      // A restore plan (`s3kit restore … --plan --json`) is applied by the restore.
      if (firstRecordType(await lines.firstLine()) === 'restore-plan') return setExitCode(await applyRestorePlan(context, { lines, flags }));
      plan = await readPlanLines(lines);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const unreadable = code !== undefined && !isS3kitError(error);
      const message = unreadable ? `cannot read plan file ${planFile} (${code}): check the path.` : describeError(error, flags.debug === true);
      context.streams.stderr.write(`s3kit: ${message}\n`);
      return setExitCode(unreadable ? ExitCode.usage : exitCodeForError(error));
    }
    const {
      connection: saved,
      sseCustomerKeyMd5,
      copySourceSseCustomerKeyMd5,
      ...settings
    } = plan.header.settings as Omit<SyncOptions, 'source' | 'target'> & { connection?: S3ConnectionOptions; sseCustomerKeyMd5?: string; copySourceSseCustomerKeyMd5?: string };
    // The plan was made with these SSE-C keys (or none): another key would write objects nobody
    // can read with the planned one, and no key would write them unencrypted.
    const sseC = sseCOptionsOf(flags);
    const given = sseCKeyDigests(sseC);
    for (const [name, planned, now, flag] of [
      ['SSE-C key', sseCustomerKeyMd5, given.sseCustomerKeyMd5, '--sse-c AES256 --sse-c-key'],
      ['SSE-C copy source key', copySourceSseCustomerKeyMd5, given.copySourceSseCustomerKeyMd5, '--sse-c-copy-source AES256 --sse-c-copy-source-key'],
    ] as const) {
      if (planned === now) continue;
      const problem =
        planned === undefined ? `the plan was made without an ${name}, and this apply gives one` : now === undefined ? `the plan was made with an ${name}: give it again (${flag} …)` : `this ${name} is not the one the plan was made with`;
      context.streams.stderr.write(`s3kit: ${problem}; apply with the plan's key, or make a new plan.\n`);
      return setExitCode(ExitCode.usage);
    }
    const current = connectionOptions(flags, context.env);
    // The plan was reviewed against one service: applying it to another (a flag, or an
    // AWS_ENDPOINT_URL set in this shell) would write what nobody reviewed, somewhere else.
    const mismatch = endpointMismatch(saved?.endpoint, current.endpoint);
    if (mismatch !== undefined) {
      context.streams.stderr.write(`s3kit: ${mismatch}\n`);
      return setExitCode(ExitCode.usage);
    }
    const options: SyncOptions = { ...settings, ...sseC, ...saved, ...current, source: plan.header.source, target: plan.header.target, dryRun: flags.dryrun };
    setExitCode(await runSync(context, { options, sourceArg: plan.header.source, targetArg: plan.header.target, output: flags, expectedPlan: plan.actions, resume: flags }));
  });
}

/** Lines that can be looked at before they are read: the first non-empty one tells which plan a file is. */
function peekable(lines: AsyncIterable<string>): AsyncIterable<string> & { firstLine(): Promise<string | undefined> } {
  const iterator = lines[Symbol.asyncIterator]();
  const seen: string[] = [];
  return {
    async firstLine() {
      for (;;) {
        const next = await iterator.next();
        if (next.done === true) return undefined;
        seen.push(next.value);
        if (next.value.trim() !== '') return next.value;
      }
    },
    async *[Symbol.asyncIterator]() {
      yield* seen.splice(0);
      for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) yield next.value;
    },
  };
}

function firstRecordType(line: string | undefined): unknown {
  try {
    return line === undefined ? undefined : (JSON.parse(line) as { type?: unknown } | null)?.type;
  } catch {
    return undefined; // not JSON: readPlanLines says so with the line number
  }
}
