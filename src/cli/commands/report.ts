import { Command, InvalidArgumentError } from 'commander';
import { createS3Client, escapeText, parseLocation } from 's3kit';
import { reportUsage, usageCsv, type UsageReport } from 's3kit/admin';
import { jsonText } from '../admin-values.js';
import type { CliContext } from '../context.js';
import { reportCommandError } from '../describe-error.js';
import { ExitCode } from '../exit-codes.js';
import { formatBytes } from '../output/format.js';
import { addConnectionFlags, connectionOptions, type ConnectionFlags } from '../sync-flags.js';

const USAGE_EXAMPLES = `
Examples:
  s3kit report usage s3://my-bucket --depth 2
  s3kit report usage s3://my-bucket/logs/ --json > usage.json
  s3kit report usage s3://my-bucket --csv > usage.csv

The listing streams: memory holds one row per prefix at --depth (at most 10000; objects under
further prefixes are counted in one "(other)" row), never the keys.`;

type UsageFlags = ConnectionFlags & { depth: number; json?: boolean; csv?: boolean; debug?: boolean };

function parseDepth(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`"${value}" is not a depth: give a whole number, 0 or more.`);
  return n;
}

/** `s3kit report usage`: what a bucket or prefix holds, per prefix, class and age. */
export function reportCommand(context: CliContext, setExitCode: (code: number) => void): Command {
  const { stdout, stderr } = context.streams;
  const report = new Command('report').description('usage reports of a bucket or prefix');
  const usage = new Command('usage')
    .description('bytes and objects per prefix (to --depth), per storage class and per age band, from a streaming listing')
    .argument('<s3-url>', 's3://bucket or s3://bucket/prefix/')
    .option('--depth <n>', 'directory levels of the prefixes reported', parseDepth, 1)
    .option('--json', 'print the report as JSON')
    .option('--csv', 'print prefix,storage_class,age_band,bytes,objects rows')
    .option('--debug', 'print stack traces of errors');
  addConnectionFlags(usage)
    .addHelpText('after', USAGE_EXAMPLES)
    .action(async (url: string, flags: UsageFlags) => {
      try {
        if (flags.json === true && flags.csv === true) throw new InvalidArgumentError('--json and --csv cannot be used together.');
        const location = parseLocation(url, 's3-url');
        if (location.kind !== 's3') throw new InvalidArgumentError(`${url} is not an s3://bucket[/prefix] URL.`);
        const result = await reportUsage(createS3Client(connectionOptions(flags, context.env)), location, { depth: flags.depth, signal: context.signal });
        stdout.write(flags.json === true ? jsonText(result) : flags.csv === true ? usageCsv(result) : usageText(result));
        setExitCode(ExitCode.ok);
      } catch (error) {
        if (error instanceof InvalidArgumentError) throw error;
        if (context.signal?.aborted === true) return setExitCode(ExitCode.interrupted);
        setExitCode((await reportCommandError(stderr, error, connectionOptions(flags, context.env), flags.debug === true)).code);
      }
    });
  return report.addCommand(usage);
}

function usageText(report: UsageReport): string {
  const rows = report.prefixes.map((p) => [escapeText(p.prefix === '' ? '(top level)' : p.prefix), formatBytes(p.bytes), `${p.objects} objects`, Object.keys(p.byClass).join(' ')]);
  rows.push(['total', formatBytes(report.totals.bytes), `${report.totals.objects} objects`, '']);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i]!.length)));
  const lines = rows.map((row) => `${row[0]!.padEnd(widths[0]!)}  ${row[1]!.padStart(widths[1]!)}  ${row[2]!.padStart(widths[2]!)}  ${row[3]}`.trimEnd());
  lines.push('age bands: ' + Object.entries(report.byAge).map(([band, count]) => `${band} ${formatBytes(count.bytes)} (${count.objects})`).join(', '));
  return `${lines.join('\n')}\n`;
}
