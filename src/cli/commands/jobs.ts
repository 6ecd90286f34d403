import { readdir } from 'node:fs/promises';
import { Command, InvalidArgumentError } from 'commander';
import { format } from 'date-fns/format';
import { jsonFileStore } from 's3kit';
import {
  configJsonSchema,
  createRedactor,
  JobLog,
  loadConfig,
  parseDay,
  readJobHistory,
  runDoctor,
  runJobs,
  secretValuesOf,
  StrategyResolver,
} from 's3kit/jobs';
import { stringify } from 'yaml';
import type { CliContext } from '../context.js';
import { describeError } from '../describe-error.js';
import { exitCodeForError, ExitCode } from '../exit-codes.js';
import { formatBytes, formatDuration } from '../output/format.js';
import { addConnectionFlags, addDryRunFlags, connectionOptions, type ConnectionFlags } from '../sync-flags.js';
import { parsePositiveInteger } from '../values.js';

const DEFAULT_CONFIG = 's3kit.yaml';

function parseDayFlag(value: string): Date {
  const date = parseDay(value);
  if (date === undefined) throw new InvalidArgumentError(`"${value}" is not a date: use YYYY-MM-DD.`);
  return date;
}

function configOption(command: Command): Command {
  return command.option('--config <file>', `the jobs file (default ${DEFAULT_CONFIG})`, DEFAULT_CONFIG);
}

/**
 * The context with output streams that mask every credential before it is printed: the
 * environment's secret variables at once, the config's too once it is loaded (`addSecrets`).
 * These commands print only whole strings with `write`, which is all the wrappers carry.
 */
function redacting(context: CliContext): { readonly context: CliContext; addSecrets(secrets: readonly string[]): void } {
  const secrets = secretValuesOf(context.env);
  let redact = createRedactor(secrets);
  const wrap = <Stream extends NodeJS.WritableStream>(stream: Stream): Stream =>
    ({ isTTY: (stream as { isTTY?: boolean }).isTTY, write: (text: string) => stream.write(redact(text)) }) as unknown as Stream;
  return {
    context: { ...context, streams: { stdout: wrap(context.streams.stdout), stderr: wrap(context.streams.stderr) } },
    addSecrets(more) {
      redact = createRedactor([...secrets, ...more]);
    },
  };
}

function fail(context: CliContext, error: unknown, debug: boolean): number {
  context.streams.stderr.write(`s3kit: ${describeError(error, debug)}\n`);
  return exitCodeForError(error);
}

/** `s3kit run [job…]`: runs the jobs of a config. */
export function runCommand(outer: CliContext, setExitCode: (code: number) => void): Command {
  const command = configOption(new Command('run'))
    .description('run the enabled jobs of the config (or the named ones) for a date')
    .argument('[job...]', 'jobs to run (default: every enabled job)')
    .option('--date <YYYY-MM-DD>', "the date the run is for (default: yesterday)", parseDayFlag)
    .option('--parallel <n>', 'jobs at once (default 1)', parsePositiveInteger)
    .option('--resync', 'mode: bisync jobs merge both sides afresh (their first run, or after a change of their filters)');
  addDryRunFlags(command, 'plan every job, transfer nothing, record nothing (no log, no history)')
    .option('--json', 'print each job result and the run as JSON lines')
    .option('--debug', 'print stack traces of errors');
  addConnectionFlags(command);
  return command
    .addHelpText(
      'after',
      `
Examples:
  s3kit run                         # every enabled job, for yesterday
  s3kit run camera --date 2025-01-15
  s3kit run --config /etc/s3kit.yaml --parallel 2
  s3kit run shared-folder --resync  # first run of a mode: bisync job

Exit code 0 only if every job succeeded (skipped jobs count as success), 1 if any failed,
2 for an invalid config. A source directory that does not exist is a failure; only a dated
subfolder (DateFolder, CustomPattern sourcePattern) not created yet is skipped. A mode: bisync
job syncs both ways; its baseline lives in bisync/ beside the state file, and a refusal (no
baseline yet: run it once with --resync; another run holds its lock) fails the job.`,
    )
    .action(async (names: string[], flags: ConnectionFlags & { config: string; date?: Date; parallel?: number; resync?: boolean; dryrun?: boolean; json?: boolean; debug?: boolean }) => {
      const output = redacting(outer);
      const context = output.context;
      const { stdout } = context.streams;
      const dryRun = flags.dryrun === true;
      const dry = dryRun ? '(dry run) ' : '';
      try {
        const config = await loadConfig(flags.config, { env: context.env });
        output.addSecrets(config.secrets);
        // A dry run records nothing: no log lines (nor log retention), no history.
        const log = dryRun ? undefined : new JobLog(config.logDirectory);
        const state = jsonFileStore(config.stateFile, {
          onCorrupt: ({ movedTo, reason }) => context.streams.stderr.write(`s3kit: the state file was corrupt (${reason}); kept as ${movedTo}, starting afresh.\n`),
        });
        const run = await runJobs({
          config,
          jobs: names,
          date: flags.date,
          parallel: flags.parallel,
          resync: flags.resync,
          dryRun,
          state,
          log,
          connection: connectionOptions(flags, context.env),
          signal: context.signal,
          onJobEnd: (record) => {
            if (flags.json === true) stdout.write(`${JSON.stringify({ event: 'job', ...record })}\n`);
            else stdout.write(`${dry}${mark(record.status)} ${record.job}: ${record.status} — ${record.message} (${formatDuration(record.durationMs)})\n`);
          },
        });
        if (flags.json === true) stdout.write(`${JSON.stringify({ event: 'run', ...run })}\n`);
        else {
          stdout.write(`Run for ${run.targetDate}: ${run.jobs.filter((j) => j.status === 'success').length} succeeded, ${run.jobs.filter((j) => j.status === 'failure').length} failed, ${run.jobs.filter((j) => j.status === 'skipped').length} skipped in ${formatDuration(run.durationMs)}.\n`);
          if (dryRun) stdout.write('Dry run: nothing was transferred, deleted or recorded.\n');
        }
        setExitCode(context.signal?.aborted === true ? ExitCode.interrupted : run.success ? ExitCode.ok : ExitCode.failures);
      } catch (error) {
        setExitCode(fail(context, error, flags.debug === true));
      }
    });
}

function mark(status: string): string {
  return status === 'success' ? '✔' : status === 'skipped' ? '–' : '✘';
}

/** `s3kit status`: the last run and every job's history. */
export function statusCommand(outer: CliContext, setExitCode: (code: number) => void): Command {
  return configOption(new Command('status'))
    .description('show the last run, each job’s last result and last success, and totals')
    .option('--json', 'print the state as JSON')
    .option('--last', 'only the last run')
    .option('--debug', 'print stack traces of errors')
    .action(async (flags: { config: string; json?: boolean; last?: boolean; debug?: boolean }) => {
      const output = redacting(outer);
      const context = output.context;
      const { stdout } = context.streams;
      try {
        const config = await loadConfig(flags.config, { env: context.env, withoutConnections: true });
        output.addSecrets(config.secrets);
        const history = await readJobHistory(jsonFileStore(config.stateFile), config.jobs.map((job) => job.name));
        const last = history.lastRun;
        const jobs = Object.fromEntries(history.jobs);
        if (flags.json === true) {
          stdout.write(`${JSON.stringify(flags.last === true ? { lastRun: last ?? null } : { lastRun: last ?? null, jobs }, null, 2)}\n`);
          return setExitCode(ExitCode.ok);
        }
        stdout.write(last === undefined ? 'No run recorded yet.\n' : `Last run: ${last.startedAt} for ${last.targetDate}, ${last.success ? 'succeeded' : 'had failures'} (${formatDuration(last.durationMs)}).\n`);
        if (flags.last !== true) {
          for (const job of config.jobs) {
            const entry = jobs[job.name];
            if (entry === undefined) {
              stdout.write(`  ${job.name}: never run${job.enabled ? '' : ' (disabled)'}\n`);
              continue;
            }
            const success = entry.lastSuccess === undefined ? 'never' : `${entry.lastSuccess.endedAt} for ${entry.lastSuccess.targetDate}: ${entry.lastSuccess.message}`;
            stdout.write(
              `  ${mark(entry.lastRun.status)} ${job.name}: last ${entry.lastRun.status} at ${entry.lastRun.endedAt} — ${entry.lastRun.message}\n` +
                `      last success: ${success}\n` +
                `      totals: ${entry.totals.runs} runs, ${entry.totals.successes} succeeded, ${entry.totals.failures} failed, ${entry.totals.skipped} skipped; ` +
                `${entry.totals.filesTransferred} files, ${formatBytes(entry.totals.bytesTransferred)}; ${entry.consecutiveFailures} consecutive failure(s)\n`,
            );
          }
        }
        setExitCode(ExitCode.ok);
      } catch (error) {
        setExitCode(fail(context, error, flags.debug === true));
      }
    });
}

/** `s3kit doctor`: checks credentials, endpoints, buckets, paths, clock and config. */
export function doctorCommand(outer: CliContext, setExitCode: (code: number) => void): Command {
  const command = configOption(new Command('doctor'))
    .description('check the config, credentials, endpoints, clock, every job’s source and bucket (✔/✘ with a fix)')
    .option('--debug', 'print stack traces of errors');
  addConnectionFlags(command);
  return command.action(async (flags: ConnectionFlags & { config: string; debug?: boolean }) => {
      const output = redacting(outer);
      const context = output.context;
    const { stdout } = context.streams;
    try {
      const config = await loadConfig(flags.config, { env: context.env });
        output.addSecrets(config.secrets);
      let failures = 0;
      for await (const check of runDoctor(config, { connection: connectionOptions(flags, context.env) })) {
        if (!check.ok) failures++;
        stdout.write(`${check.ok ? '✔' : '✘'} ${check.subject}: ${check.detail}${check.fix === undefined ? '' : ` — fix: ${check.fix}`}\n`);
      }
      setExitCode(failures === 0 ? ExitCode.ok : ExitCode.failures);
    } catch (error) {
      stdout.write(`✘ config ${flags.config}: ${describeError(error, flags.debug === true)}\n`);
      setExitCode(exitCodeForError(error));
    }
  });
}

/** `s3kit clear-logs`: log clean-up. */
export function clearLogsCommand(outer: CliContext, setExitCode: (code: number) => void): Command {
  return configOption(new Command('clear-logs'))
    .description('delete job log files (all, or those not written for N days)')
    .option('--keep-days <n>', 'keep files written in the last n days', (value: string) => {
      if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`"${value}" is not a whole number of days.`);
      return Number(value);
    })
    .option('--remove-dir', 'remove the log directory too, if nothing but s3kit logs was in it')
    .action(async (flags: { config: string; keepDays?: number; removeDir?: boolean }) => {
      const output = redacting(outer);
      const context = output.context;
      try {
        const config = await loadConfig(flags.config, { env: context.env, withoutConnections: true });
        output.addSecrets(config.secrets);
        const removed = await new JobLog(config.logDirectory).clear({ keepDays: flags.keepDays, removeDirectory: flags.removeDir });
        let directory = '';
        if (flags.removeDir === true) {
          const left = await readdir(config.logDirectory).catch(() => undefined);
          directory = left === undefined ? ' and the log directory' : `; kept the directory: it holds ${left.length} other entr${left.length === 1 ? 'y' : 'ies'} (only s3kit's own log files are deleted)`;
        }
        context.streams.stdout.write(`Removed ${removed.length} log file(s) from ${config.logDirectory}${directory}.\n`);
        setExitCode(ExitCode.ok);
      } catch (error) {
        setExitCode(fail(context, error, false));
      }
    });
}

/** `s3kit schema`: prints the JSON Schema of the config file. */
export function schemaCommand(context: CliContext, setExitCode: (code: number) => void): Command {
  return new Command('schema')
    .description('print the JSON Schema of s3kit.yaml (for editors: # yaml-language-server: $schema=./s3kit.schema.json)')
    .action(() => {
      context.streams.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
      setExitCode(ExitCode.ok);
    });
}

/** `s3kit strategies`: lists the strategies, from the same registry the config uses. */
export function strategiesCommand(context: CliContext, setExitCode: (code: number) => void): Command {
  return new Command('strategies')
    .description('list the strategies a job can use')
    .option('--examples', 'show a config example for each')
    .action((flags: { examples?: boolean }) => {
      const { stdout } = context.streams;
      const today = new Date();
      for (const strategy of new StrategyResolver().list()) {
        stdout.write(`${strategy.type}: ${strategy.description}\n`);
        if (flags.examples === true) {
          const example = { name: 'example', source: './data', target: 's3://bucket/data', strategy: strategy.example };
          const resolved = new StrategyResolver().resolve(strategy.example as { type: string }, { name: 'example', source: './data', target: 's3://bucket/data', date: today });
          stdout.write(`${stringify([example]).replace(/^/gm, '  ')}`);
          stdout.write(`  # for ${format(today, 'yyyy-MM-dd')}: ${resolved.source} → ${resolved.target}${resolved.modifiedAfter === undefined ? '' : `, files modified ${resolved.modifiedAfter.toISOString()} … ${resolved.modifiedBefore?.toISOString()}`}\n\n`);
        }
      }
      setExitCode(ExitCode.ok);
    });
}
