import { ConfigError, createSyncer, jsonFileStore, type Action, type FilterRule, type SyncOptions, type SyncSummary } from 's3kit';
import type { CliContext } from './context.js';
import { describeError, explainCredentials } from './describe-error.js';
import { exitCodeFor, exitCodeForError, ExitCode } from './exit-codes.js';
import { namingFor } from './naming.js';
import { JsonReporter } from './output/json-reporter.js';
import type { Reporter } from './output/reporter.js';
import { TextReporter } from './output/text-reporter.js';
import { connectionOptions, stateFilePath, syncSettings, type OutputFlags, type ResumeFlags, type SyncCommandFlags } from './sync-flags.js';
import { redactingKeys, sseCOptionsOf } from './sse-c-flags.js';

/** What {@link runSync} is asked to run. */
export interface SyncRequest {
  readonly options: SyncOptions;
  readonly sourceArg: string;
  readonly targetArg: string;
  readonly output: OutputFlags;
  readonly expectedPlan?: AsyncIterable<Action>;
  readonly resume?: ResumeFlags;
}

/** The request of a command that syncs its two arguments as its flags say (`sync`, `backup`). */
export function syncRequestOf(context: CliContext, source: string, target: string, flags: SyncCommandFlags, rules: readonly FilterRule[]): SyncRequest {
  return {
    options: { source, target, ...syncSettings(flags, rules, target, context.env), ...sseCOptionsOf(flags), ...connectionOptions(flags, context.env), dryRun: flags.dryrun },
    sourceArg: source,
    targetArg: target,
    output: flags,
    resume: flags,
  };
}

/** What `sync` and `apply` share: build the syncer, attach a reporter, run, map to an exit code. */
export async function runSync(given: CliContext, request: SyncRequest): Promise<number> {
  const { output } = request;
  const context = redactingKeys(given, request.options);
  const reporterFor = (syncer: ReturnType<typeof createSyncer>): Reporter => {
    if (output.json === true) return new JsonReporter(context.streams);
    const tty = context.streams.stdout.isTTY === true;
    const mode = output.quiet === true ? 'quiet' : output.onlyShowErrors === true ? 'errors' : 'lines';
    return new TextReporter(context.streams, {
      mode,
      bar: tty && mode === 'lines' && output.progress !== false,
      color: colorEnabled(tty, context.env),
      dryRun: request.options.dryRun === true,
      // Logs of long runs off a terminal get a line every 10 s, not only one per file.
      progressEveryMs: !tty && mode === 'lines' && output.progress !== false && request.options.dryRun !== true ? 10_000 : undefined,
      naming: namingFor(syncer.source, syncer.target, request.sourceArg, request.targetArg),
    });
  };
  let reporter: Reporter | undefined;
  let lastSummary: SyncSummary | undefined;
  let syncer: ReturnType<typeof createSyncer> | undefined;
  const stateFile = request.resume === undefined ? undefined : stateFilePath(request.resume, context.env);
  // What an interruption keeps: only with a state file can the next run find what was kept.
  const resuming = stateFile !== undefined && request.resume?.resume !== false;
  try {
    const state =
      stateFile === undefined
        ? undefined
        : jsonFileStore(stateFile, {
            onCorrupt: ({ movedTo, reason }) => context.streams.stderr.write(`s3kit: the state file was corrupt (${reason}); kept as ${movedTo}.\n`),
          });
    syncer = createSyncer({ ...request.options, state, resume: request.resume?.resume !== false });
    reporter = reporterFor(syncer);
    reporter.attach(syncer);
    syncer.on('done', ({ summary }) => (lastSummary = summary));
    // With a progress bar, plan first so that the bar's totals are final from the start.
    const planFirst = reporter instanceof TextReporter && context.streams.stdout.isTTY === true && output.progress !== false;
    const summary = await syncer.run({ signal: context.signal, planFirst, expectedPlan: request.expectedPlan });
    reporter.finish(summary);
    return exitCodeFor(summary);
  } catch (error) {
    if (context.signal?.aborted === true) {
      if (lastSummary !== undefined) reporter?.finish(lastSummary);
      context.streams.stderr.write(`s3kit: ${interruptedMessage(syncer, resuming)}\n`);
      return ExitCode.interrupted;
    }
    const explained = await explainCredentials(asFlagError(error), request.options);
    const message = describeError(explained, output.debug === true);
    if (reporter !== undefined) reporter.fatal(message);
    else context.streams.stderr.write(`s3kit: ${message}\n`);
    return exitCodeForError(explained);
  }
}

/**
 * What Ctrl-C left behind, by direction, as the transfer code does it: uploads keep their
 * multipart uploads (resume) or abort them; downloads keep the temp files of ranged downloads
 * (resume) or remove them; S3 → S3 copies abort theirs. No destination is ever half-written.
 */
function interruptedMessage(syncer: ReturnType<typeof createSyncer> | undefined, resuming: boolean): string {
  const from = syncer?.source.kind;
  const to = syncer?.target.kind;
  if (from === 's3' && to === 'local') {
    return resuming
      ? 'interrupted; partly downloaded large objects are kept beside their destination as hidden .s3kit-*.part files and the next run resumes them; no destination file is half-written.'
      : 'interrupted; partial downloads were removed; no destination file is half-written.'
  }
  if (from === 's3' && to === 's3') return 'interrupted; copies in progress were aborted; nothing half-written is visible in the target.';
  if (from === 'local' && resuming) {
    return 'interrupted; multipart uploads in progress are kept and the next run resumes them (s3kit uploads list shows them, s3kit uploads abort removes them).';
  }
  return 'interrupted; in-flight uploads were aborted, nothing half-written remains.';
}

/**
 * The library names its options (`deleteExcluded`); on the command line the same problem is
 * told with the flags the user typed. Only options that a flag sets are rewritten.
 */
const FLAG_MESSAGES: Readonly<Record<string, string>> = {
  deleteExcluded: '--delete-excluded only has an effect with --delete; give both or neither.',
  ignoreFileName: '--ignore-file-name reads ignore files from a local source, and the source is in S3: use --exclude or --ignore-file.',
  sseKmsKeyId: '--sse-kms-key-id needs --sse aws:kms.',
};

function asFlagError(error: unknown): unknown {
  if (!(error instanceof ConfigError)) return error;
  const rule = /^storageClassRules\[(\d+)\]/.exec(error.field);
  if (rule !== null) {
    const which = Number(rule[1]) + 1;
    return new ConfigError(error.field, `${error.message} (That is the ${ordinal(which)} --storage-class-rule; force is written ,force there.)`, { cause: error });
  }
  const message = FLAG_MESSAGES[error.field];
  return message === undefined ? error : new ConfigError(error.field, message, { cause: error });
}

/** Colours only on a terminal, and never with `NO_COLOR` (any value, https://no-color.org) or `TERM=dumb`. */
export function colorEnabled(tty: boolean, env: Readonly<Record<string, string | undefined>>): boolean {
  return tty && env.NO_COLOR === undefined && env.TERM !== 'dumb';
}

function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th';
  return `${n}${suffix}`;
}
