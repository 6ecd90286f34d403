import { Command, InvalidArgumentError } from 'commander';
import { estimateStorageCost, validatePriceTable, DEFAULT_PRICE_TABLE, type CostEstimate, type PriceTable, type PricedStorageClass } from 's3kit/admin';
import { jsonText, printProblems, readJsonFile } from '../admin-values.js';
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

/** `s3kit cost estimate`: what storing data in one class costs, from the shipped (or a user's) price table. */
export function costCommand(context: CliContext, setExitCode: (code: number) => void): Command {
  const { stdout, stderr } = context.streams;
  const cost = new Command('cost').description('storage cost estimates from a price table shipped with s3kit (or --prices FILE)');
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
        let prices: PriceTable = DEFAULT_PRICE_TABLE;
        if (flags.prices !== undefined) {
          const table = await readJsonFile(flags.prices);
          const problems = validatePriceTable(table);
          if (printProblems(problems, context.streams, flags.prices) > 0) {
            setExitCode(ExitCode.usage);
            return;
          }
          prices = table as PriceTable;
        }
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

const usd = (n: number): string => `$${n.toFixed(2)}`;

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
