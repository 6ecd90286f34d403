import { Command, InvalidArgumentError } from 'commander';
import { createS3Client, escapeText, parseLocation } from 's3kit';
import {
  assertValidLifecycle,
  estimateBucketCost,
  estimateStorageCost,
  renderTemplate,
  validatePriceTable,
  DEFAULT_PRICE_TABLE,
  type BucketCost,
  type CostEstimate,
  type LifecycleConfigurationDocument,
  type PriceTable,
  type PricedStorageClass,
} from 's3kit/admin';
import { collectSet, jsonText, printProblems, readJsonFile } from '../admin-values.js';
import { reportCommandError } from '../describe-error.js';
import { formatBytes } from '../output/format.js';
import { addConnectionFlags, connectionOptions, type ConnectionFlags } from '../sync-flags.js';
import type { CliContext } from '../context.js';
import { describeError } from '../describe-error.js';
import { exitCodeForError, ExitCode } from '../exit-codes.js';
import { parseSize } from '../values.js';

const ESTIMATE_EXAMPLES = `
Examples:
  s3kit cost estimate --size 2TiB --objects 1e6 --storage-class STANDARD_IA --months 12
  s3kit cost estimate --size 500GiB --objects 20000 --storage-class DEEP_ARCHIVE --json
  s3kit cost estimate --size 1TiB --objects 1000 --storage-class STANDARD --prices my-prices.json --region eu-west-1

Prices come from a table shipped with s3kit (its date and source are printed); --prices FILE
replaces it with a JSON file of the same shape: { "date", "source", "regions": { REGION: { CLASS:
{ "storagePerGBMonth", "putPer1000", "retrievalPerGB" } } } }.`;

const CLASSES = ['STANDARD', 'INTELLIGENT_TIERING', 'STANDARD_IA', 'ONEZONE_IA', 'GLACIER_IR', 'GLACIER', 'DEEP_ARCHIVE'];

function parseClass(value: string): PricedStorageClass {
  const upper = value.toUpperCase();
  if (!CLASSES.includes(upper)) throw new InvalidArgumentError(`"${value}" is not a storage class s3kit prices: use one of ${CLASSES.join(', ')}.`);
  return upper as PricedStorageClass;
}

function parseCount(value: string): number {
  const n = Number(value);
  if (!/^\s*\d/.test(value) || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`"${value}" is not a number of 0 or more (1e6 is allowed).`);
  return n;
}

interface EstimateFlags {
  size: number;
  objects: number;
  storageClass: PricedStorageClass;
  region: string;
  months: number;
  prices?: string;
  json?: boolean;
  debug?: boolean;
}

const BUCKET_EXAMPLES = `
Examples:
  s3kit cost s3://my-bucket
  s3kit cost s3://my-bucket/logs/ --template transition-to-glacier-ir --set days=90
  s3kit cost s3://my-bucket --lifecycle rules.json --region us-west-2 --json

Lists the bucket or prefix (streaming: memory holds a row per class, never the keys) and prices
it per storage class, with the 128 KiB minimum of STANDARD_IA, ONEZONE_IA and GLACIER_IR; prices a
sync of every object once (a PUT each, the LIST pages of both sides); and, given a lifecycle
configuration (a template or a file, as lifecycle apply takes), what it would save per month now,
what its transitions cost once, and the minimum durations it commits to. Rules filtering on tags
cannot be judged from a listing and are named.`;

type BucketFlags = ConnectionFlags & { prices?: string; template?: string; set?: Record<string, string>; lifecycle?: string; json?: boolean; debug?: boolean };

/** The price table of --prices, or the shipped one; undefined after printing what is wrong with the file. */
async function priceTableOf(file: string | undefined, context: CliContext): Promise<PriceTable | undefined> {
  if (file === undefined) return DEFAULT_PRICE_TABLE;
  const table = await readJsonFile(file);
  return printProblems(validatePriceTable(table), context.streams, file) > 0 ? undefined : (table as PriceTable);
}

/** The lifecycle configuration to price: a rendered template, a validated file, or none. */
async function lifecycleOf(flags: BucketFlags, bucket: string): Promise<LifecycleConfigurationDocument | undefined> {
  if (flags.template !== undefined && flags.lifecycle !== undefined) throw new InvalidArgumentError('--template and --lifecycle cannot be used together: price one configuration.');
  if (flags.set !== undefined && flags.template === undefined) throw new InvalidArgumentError('--set fills in a --template; give the template too.');
  if (flags.template !== undefined) {
    const rendered = renderTemplate(flags.template, flags.set ?? {}, { bucket });
    if (rendered.kind !== 'lifecycle') throw new InvalidArgumentError(`--template ${flags.template} is a bucket policy template; cost prices lifecycle templates (s3kit templates list).`);
    return rendered.document as LifecycleConfigurationDocument;
  }
  if (flags.lifecycle === undefined) return undefined;
  const document = await readJsonFile(flags.lifecycle);
  assertValidLifecycle(document);
  return document as LifecycleConfigurationDocument;
}

/** `s3kit cost s3://b[/p]` and `s3kit cost estimate`: what storing data costs, from the shipped (or a user's) price table. */
export function costCommand(context: CliContext, setExitCode: (code: number) => void): Command {
  const { stdout, stderr } = context.streams;
  const cost = new Command('cost')
    .description('what a bucket or prefix costs per month (and what a lifecycle template would save), or an estimate for data not stored yet (cost estimate)')
    .argument('[s3-url]', 's3://bucket or s3://bucket/prefix/ to list and price')
    // The options of `cost` are its own: `cost estimate --region …` keeps its options.
    .enablePositionalOptions()
    .option('--prices <file>', 'a JSON price table to use instead of the shipped one')
    .option('--template <name>', 'price this lifecycle template against the listing (s3kit templates list)')
    .option('--set <key=value>', 'a template parameter (repeatable)', collectSet)
    .option('--lifecycle <file>', 'price this lifecycle configuration (JSON, as lifecycle apply takes) against the listing')
    .option('--json', 'print the result as JSON')
    .option('--debug', 'print stack traces of errors');
  addConnectionFlags(cost)
    .addHelpText('after', BUCKET_EXAMPLES)
    .action(async (url: string | undefined, flags: BucketFlags) => {
      if (url === undefined) {
        cost.help({ error: true });
        return;
      }
      try {
        const location = parseLocation(url, 's3-url');
        if (location.kind !== 's3') throw new InvalidArgumentError(`${url} is not an s3://bucket[/prefix] URL (for data not stored yet, use s3kit cost estimate).`);
        const prices = await priceTableOf(flags.prices, context);
        if (prices === undefined) return setExitCode(ExitCode.usage);
        const lifecycle = await lifecycleOf(flags, location.bucket);
        const client = createS3Client(connectionOptions(flags, context.env));
        // --region is the bucket's region and the prices' (us-east-1 when not given).
        const result = await estimateBucketCost(client, location, { region: flags.region ?? 'us-east-1', prices, lifecycle, signal: context.signal });
        stdout.write(flags.json === true ? jsonText(result) : bucketCostText(url, result));
        setExitCode(ExitCode.ok);
      } catch (error) {
        if (error instanceof InvalidArgumentError) throw error;
        if (context.signal?.aborted === true) return setExitCode(ExitCode.interrupted);
        setExitCode((await reportCommandError(stderr, error, connectionOptions(flags, context.env), flags.debug === true)).code);
      }
    });
  const estimate = new Command('estimate')
    .description('monthly storage cost, minimum-size and minimum-duration charges and first-sync PUTs for data in one class')
    .requiredOption('--size <size>', 'total size, e.g. 2TiB or 500GB (GB = GiB)', parseSize)
    .requiredOption('--objects <n>', 'number of objects, e.g. 1e6', parseCount)
    .requiredOption('--storage-class <class>', `one of ${CLASSES.join(', ')}`, parseClass)
    .option('--region <region>', 'region code in the price table', 'us-east-1')
    .option('--months <n>', 'months the data is kept', parseCount, 1)
    .option('--prices <file>', 'a JSON price table to use instead of the shipped one')
    .option('--json', 'print the estimate as JSON')
    .option('--debug', 'print stack traces of errors')
    .addHelpText('after', ESTIMATE_EXAMPLES)
    .action(async (flags: EstimateFlags) => {
      try {
        const prices = await priceTableOf(flags.prices, context);
        if (prices === undefined) return setExitCode(ExitCode.usage);
        const result = estimateStorageCost({ sizeBytes: flags.size, objects: flags.objects, storageClass: flags.storageClass, region: flags.region, months: flags.months, prices });
        stdout.write(flags.json === true ? jsonText(result) : estimateText(result));
        setExitCode(ExitCode.ok);
      } catch (error) {
        stderr.write(`s3kit: ${describeError(error, flags.debug === true)}\n`);
        setExitCode(exitCodeForError(error));
      }
    });
  return cost.addCommand(estimate);
}

const objectCount = (n: number): string => `${n} ${n === 1 ? 'object' : 'objects'}`;

/** Dollars to the cent; a non-zero amount under a cent shows as such rather than as a misleading $0.00. */
const usd = (n: number): string => {
  const sign = n < 0 ? '-' : '';
  const abs = Math.abs(n);
  return abs > 0 && abs < 0.005 ? `${sign}<$0.01` : `${sign}$${abs.toFixed(2)}`;
};

function bucketCostText(url: string, c: BucketCost): string {
  const lines = [`${escapeText(url)}: ${formatBytes(c.totals.bytes)} in ${objectCount(c.totals.objects)}, ${c.region}`];
  const width = Math.max(12, ...c.classes.map((k) => k.storageClass.length));
  for (const k of c.classes) {
    lines.push(`  ${k.storageClass.padEnd(width)}  ${formatBytes(k.bytes).padStart(10)}  ${objectCount(k.objects).padStart(16)}  ${k.monthlyCost === undefined ? 'not priced' : `${usd(k.monthlyCost)}/month`}`);
  }
  lines.push(`storage per month: ${usd(c.monthlyStorageCost)}`);
  lines.push(`syncing it all once: ${usd(c.syncRequestCost.cost)} (${c.syncRequestCost.puts} PUTs, ${c.syncRequestCost.lists} LISTs)`);
  if (c.lifecycle !== undefined) {
    lines.push(`lifecycle: saves ${usd(c.lifecycle.monthlySaving)}/month now (transitions ${usd(c.lifecycle.transitionCost)} once), ${usd(c.lifecycle.eventualMonthlySaving)}/month once every object is past the rules' days`);
    for (const s of c.lifecycle.savings) {
      lines.push(`  ${escapeText(s.rule)}: ${objectCount(s.objects)}, ${formatBytes(s.bytes)} ${s.fromClass} → ${s.toClass}: ${usd(s.monthlyCostBefore)} → ${usd(s.monthlyCostAfter)} per month`);
    }
    for (const rule of c.lifecycle.notEvaluated) lines.push(`  not judged: ${escapeText(rule)}`);
  }
  for (const note of c.notes) lines.push(`note: ${note}`);
  lines.push(`prices of ${c.pricesDate} from ${c.pricesSource}`);
  return `${lines.join('\n')}\n`;
}

function estimateText(e: CostEstimate): string {
  const rows: [string, string][] = [
    ['class / region', `${e.storageClass} / ${e.region}`],
    ['billed GB per month', e.billedGiB.toFixed(2)],
    ['storage per month', usd(e.monthlyStorageCost)],
    [`storage, ${e.billedMonths} months billed`, usd(e.storageCost)],
    ['first sync PUTs', usd(e.firstSyncPutCost)],
    ['total', usd(e.totalCost)],
  ];
  if (e.retrievalCostOnce > 0) rows.push(['retrieving all once', usd(e.retrievalCostOnce)]);
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`);
  for (const note of e.notes) lines.push(`note: ${note}`);
  lines.push(`prices of ${e.pricesDate} from ${e.pricesSource}`);
  return `${lines.join('\n')}\n`;
}
