import { Command, InvalidArgumentError } from 'commander';
import { createS3Client, escapeText, jsonFileStore, parseLocation } from 's3kit';
import { AGE_BANDS, reportUsage, usageCsv, type UsageReport } from 's3kit/admin';
import { historyCsv, loadConfig, reportHistory, type HistoryReport } from 's3kit/jobs';
import { jsonText } from '../admin-values.js';
import type { CliContext } from '../context.js';
import { reportCommandError } from '../describe-error.js';
import { ExitCode } from '../exit-codes.js';
import { formatBytes, formatDuration } from '../output/format.js';
import { htmlPage, writeHtmlFile, type Section } from '../output/html-report.js';
import { addConnectionFlags, connectionOptions, type ConnectionFlags } from '../sync-flags.js';

const USAGE_EXAMPLES = `
Examples:
  s3kit report usage s3://my-bucket --depth 2
  s3kit report usage s3://my-bucket/logs/ --json > usage.json
  s3kit report usage s3://my-bucket --csv > usage.csv
  s3kit report usage s3://my-bucket --depth 2 --html usage.html

The listing streams: memory holds one row per prefix at --depth (at most 10000; objects under
further prefixes are counted in one "(other)" row), never the keys.`;

type UsageFlags = ConnectionFlags & { depth: number; json?: boolean; csv?: boolean; html?: string; debug?: boolean };
type HistoryFlags = { config: string; job?: string[]; since?: Date; json?: boolean; csv?: boolean; html?: string; debug?: boolean };

const HISTORY_EXAMPLES = `
Examples:
  s3kit report history                       # every job of s3kit.yaml, the last 30 days
  s3kit report history --job camera --since 90d
  s3kit report history --since 2026-01-01 --csv > runs.csv
  s3kit report history --html history.html

Reads the run state that s3kit run records: the last ${'366'} runs of each job are kept (totals
count every run; see s3kit status).`;

/** `--since 30d` (days back from now) or `--since 2026-01-01` (a day, local time). */
function parseSince(value: string): Date {
  const days = /^(\d+)d$/.exec(value);
  if (days !== null) return new Date(Date.now() - Number(days[1]) * 86_400_000);
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const date = day === null ? undefined : new Date(Number(day[1]), Number(day[2]) - 1, Number(day[3]));
  if (date === undefined || Number.isNaN(date.getTime()) || date.getDate() !== Number(day![3])) {
    throw new InvalidArgumentError(`"${value}" is not a period start: give days back (30d) or a date (2026-01-01).`);
  }
  return date;
}

/** Exactly one output form: text by default, or one of --json, --csv, --html. */
function checkOutputFlags(flags: { json?: boolean; csv?: boolean; html?: string }): void {
  const given = [flags.json === true && '--json', flags.csv === true && '--csv', flags.html !== undefined && '--html'].filter(Boolean);
  if (given.length > 1) throw new InvalidArgumentError(`${given.join(' and ')} cannot be used together: choose one output.`);
}

function parseDepth(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`"${value}" is not a depth: give a whole number, 0 or more.`);
  return n;
}

/** `s3kit report usage` (what a bucket or prefix holds, per prefix, class and age) and `report history` (the jobs' runs). */
export function reportCommand(context: CliContext, setExitCode: (code: number) => void): Command {
  const { stdout, stderr } = context.streams;
  const report = new Command('report').description('usage reports of a bucket or prefix');
  const usage = new Command('usage')
    .description('bytes and objects per prefix (to --depth), per storage class and per age band, from a streaming listing')
    .argument('<s3-url>', 's3://bucket or s3://bucket/prefix/')
    .option('--depth <n>', 'directory levels of the prefixes reported', parseDepth, 1)
    .option('--json', 'print the report as JSON')
    .option('--csv', 'print prefix,storage_class,age_band,bytes,objects rows')
    .option('--html <file>', 'write the report as one self-contained HTML page with charts')
    .option('--debug', 'print stack traces of errors');
  addConnectionFlags(usage)
    .addHelpText('after', USAGE_EXAMPLES)
    .action(async (url: string, flags: UsageFlags) => {
      try {
        checkOutputFlags(flags);
        const location = parseLocation(url, 's3-url');
        if (location.kind !== 's3') throw new InvalidArgumentError(`${url} is not an s3://bucket[/prefix] URL.`);
        const result = await reportUsage(createS3Client(connectionOptions(flags, context.env)), location, { depth: flags.depth, signal: context.signal });
        if (flags.html !== undefined) {
          await writeHtmlFile(flags.html, usageHtml(url, result));
          stdout.write(`Wrote ${flags.html}: ${formatBytes(result.totals.bytes)} in ${result.totals.objects} objects under ${escapeText(url)}.\n`);
        } else stdout.write(flags.json === true ? jsonText(result) : flags.csv === true ? usageCsv(result) : usageText(result));
        setExitCode(ExitCode.ok);
      } catch (error) {
        if (error instanceof InvalidArgumentError) throw error;
        if (context.signal?.aborted === true) return setExitCode(ExitCode.interrupted);
        setExitCode((await reportCommandError(stderr, error, connectionOptions(flags, context.env), flags.debug === true)).code);
      }
    });
  const history = new Command('history')
    .description('runs, durations, bytes, failures and success rate of the jobs of a config, from its run state')
    .option('--config <file>', 'the jobs file (default s3kit.yaml)', 's3kit.yaml')
    .option('--job <name>', 'only this job (repeatable; default: every job of the config)', (value: string, previous: string[] = []) => [...previous, value])
    .option('--since <30d|YYYY-MM-DD>', 'the start of the period (default 30d)', parseSince)
    .option('--json', 'print the report as JSON')
    .option('--csv', 'print one row per run')
    .option('--html <file>', 'write the report as one self-contained HTML page with charts')
    .option('--debug', 'print stack traces of errors')
    .addHelpText('after', HISTORY_EXAMPLES)
    .action(async (flags: HistoryFlags) => {
      try {
        checkOutputFlags(flags);
        const config = await loadConfig(flags.config, { env: context.env, withoutConnections: true });
        const known = config.jobs.map((job) => job.name);
        const unknown = (flags.job ?? []).filter((name) => !known.includes(name));
        if (unknown.length > 0) throw new InvalidArgumentError(`--job ${unknown.join(', ')}: no such job in ${config.path}; the jobs are: ${known.join(', ')}.`);
        const since = flags.since ?? new Date(Date.now() - 30 * 86_400_000);
        const result = await reportHistory(jsonFileStore(config.stateFile), flags.job ?? known, { since });
        if (flags.html !== undefined) {
          await writeHtmlFile(flags.html, historyHtml(config.path, result));
          stdout.write(`Wrote ${flags.html}: ${result.runs.length} run(s) of ${result.jobs.length} job(s) since ${since.toISOString()}.\n`);
        } else stdout.write(flags.json === true ? jsonText(result) : flags.csv === true ? historyCsv(result) : historyText(result));
        setExitCode(ExitCode.ok);
      } catch (error) {
        if (error instanceof InvalidArgumentError) throw error;
        setExitCode((await reportCommandError(stderr, error, {}, flags.debug === true)).code);
      }
    });
  return report.addCommand(usage).addCommand(history);
}

function historyText(report: HistoryReport): string {
  const lines = [`Since ${report.since ?? 'the first run kept'}:`];
  for (const job of report.jobs) {
    const rate = job.successRate === undefined ? 'no run succeeded or failed' : `${(job.successRate * 100).toFixed(1)} % succeeded`;
    const duration = job.meanDurationMs === undefined ? '' : `, mean ${formatDuration(job.meanDurationMs)}, longest ${formatDuration(job.longestDurationMs ?? 0)}`;
    lines.push(`  ${job.job}: ${job.runs} run(s), ${job.successes} ok, ${job.failures} failed, ${job.skipped} skipped (${rate})${duration}; ${job.files} file(s), ${formatBytes(job.bytes)}`);
    if (job.lastRun !== undefined) lines.push(`    last: ${job.lastRun.status} at ${job.lastRun.endedAt} — ${escapeText(job.lastRun.message)}`);
  }
  return `${lines.join('\n')}\n`;
}

const STATUS_COLORS = { success: '#2e9d5b', failure: '#d64545', skipped: '#9aa3b5' } as const;

function historyHtml(configPath: string, report: HistoryReport): string {
  const sections: Section[] = [
    {
      heading: 'Success rate per job',
      note: 'Successes over the runs that succeeded or failed (skipped runs are not counted).',
      bars: report.jobs.map((job) => ({
        label: job.job,
        value: (job.successRate ?? 0) * 100,
        display: job.successRate === undefined ? 'no runs' : `${(job.successRate * 100).toFixed(1)} % of ${job.successes + job.failures}`,
        color: job.failures > 0 ? STATUS_COLORS.failure : STATUS_COLORS.success,
      })),
    },
    {
      heading: 'Duration of each run',
      note: 'Oldest first; green succeeded, red failed, grey skipped (the last 60 runs).',
      bars: report.runs.slice(-60).map((run) => ({
        label: `${run.job} ${run.startedAt.slice(0, 16).replace('T', ' ')}`,
        value: run.durationMs,
        display: `${formatDuration(run.durationMs)}, ${formatBytes(run.bytes)}`,
        color: STATUS_COLORS[run.status],
      })),
    },
    {
      heading: 'Jobs',
      table: {
        columns: ['job', 'runs', 'ok', 'failed', 'skipped', 'success rate', 'mean duration', 'files', 'bytes'],
        numeric: [1, 2, 3, 4, 5, 6, 7, 8],
        rows: report.jobs.map((job) => [
          job.job,
          String(job.runs),
          String(job.successes),
          String(job.failures),
          String(job.skipped),
          job.successRate === undefined ? '—' : `${(job.successRate * 100).toFixed(1)} %`,
          job.meanDurationMs === undefined ? '—' : formatDuration(job.meanDurationMs),
          String(job.files),
          formatBytes(job.bytes),
        ]),
      },
    },
    {
      heading: 'Runs',
      table: {
        columns: ['job', 'started', 'status', 'duration', 'bytes', 'message'],
        numeric: [3, 4],
        rows: [...report.runs].reverse().map((run) => [run.job, run.startedAt, run.status, formatDuration(run.durationMs), formatBytes(run.bytes), run.message]),
      },
    },
  ];
  return htmlPage('s3kit run history', `${configPath} — since ${report.since ?? 'the first run kept'}`, sections);
}

function usageHtml(url: string, report: UsageReport): string {
  const bytesBar = (label: string, count: { bytes: number; objects: number }): { label: string; value: number; display: string } => ({
    label,
    value: count.bytes,
    display: `${formatBytes(count.bytes)} · ${count.objects} objects`,
  });
  const sections: Section[] = [
    { heading: `Bytes per prefix (depth ${report.depth})`, bars: report.prefixes.slice(0, 40).map((p) => bytesBar(p.prefix === '' ? '(top level)' : p.prefix, p)) },
    { heading: 'Bytes per storage class', bars: Object.entries(report.byClass).map(([name, count]) => bytesBar(name, count)) },
    {
      heading: 'Bytes per age band',
      note: 'By LastModified, at the time of the report.',
      bars: AGE_BANDS.map(([band]) => bytesBar(band, report.byAge[band] ?? { bytes: 0, objects: 0 })),
    },
    {
      heading: 'Prefixes',
      table: {
        columns: ['prefix', 'bytes', 'objects', 'classes'],
        numeric: [1, 2],
        rows: report.prefixes.map((p) => [p.prefix === '' ? '(top level)' : p.prefix, formatBytes(p.bytes), String(p.objects), Object.keys(p.byClass).join(' ')]),
      },
    },
  ];
  return htmlPage(`Usage of ${url}`, `${formatBytes(report.totals.bytes)} in ${report.totals.objects} objects, measured ${new Date(report.now).toISOString()}`, sections);
}

function usageText(report: UsageReport): string {
  const rows = report.prefixes.map((p) => [escapeText(p.prefix === '' ? '(top level)' : p.prefix), formatBytes(p.bytes), `${p.objects} objects`, Object.keys(p.byClass).join(' ')]);
  rows.push(['total', formatBytes(report.totals.bytes), `${report.totals.objects} objects`, '']);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i]!.length)));
  const lines = rows.map((row) => `${row[0]!.padEnd(widths[0]!)}  ${row[1]!.padStart(widths[1]!)}  ${row[2]!.padStart(widths[2]!)}  ${row[3]}`.trimEnd());
  lines.push('age bands: ' + Object.entries(report.byAge).map(([band, count]) => `${band} ${formatBytes(count.bytes)} (${count.objects})`).join(', '));
  return `${lines.join('\n')}\n`;
}
