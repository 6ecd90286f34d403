/**
 * The S3 price table shipped with s3kit, and the check a user's own table (`--prices FILE`) must
 * pass. Prices change; the table carries its date and source so an estimate can say what it used.
 */
import { ProblemList, child, isObject, show, type ValidationProblem } from './problems.js';

/**
 * A storage class the cost calculator knows prices for.
 * @public
 */
export type PricedStorageClass =
  | 'STANDARD'
  | 'INTELLIGENT_TIERING'
  | 'STANDARD_IA'
  | 'ONEZONE_IA'
  | 'GLACIER_IR'
  | 'GLACIER'
  | 'DEEP_ARCHIVE';

/** Every priced class, as a user table may name them. */
export const PRICED_STORAGE_CLASSES: readonly PricedStorageClass[] = [
  'STANDARD',
  'INTELLIGENT_TIERING',
  'STANDARD_IA',
  'ONEZONE_IA',
  'GLACIER_IR',
  'GLACIER',
  'DEEP_ARCHIVE',
];

/**
 * Prices of one storage class in one region, in US dollars.
 * @public
 */
export interface ClassPrices {
  /** Storage per GB-month (AWS bills GB as 2^30 bytes). For STANDARD, the first-50-TB tier. */
  readonly storagePerGBMonth: number;
  /** PUT, COPY, POST and LIST requests, per 1,000. */
  readonly putPer1000: number;
  /** Retrieval per GB (standard retrieval for the Glacier classes). @defaultValue 0 */
  readonly retrievalPerGB?: number;
}

/**
 * A price table: which regions, which classes, when and where the figures came from.
 * @public
 */
export interface PriceTable {
  /** The day the figures were taken, `YYYY-MM-DD`. */
  readonly date: string;
  /** Where they were taken from (a URL). */
  readonly source: string;
  /** Free text: what was and was not checked. @defaultValue none */
  readonly note?: string;
  /** Prices per region code, then per storage class. A region may list only some classes. */
  readonly regions: Readonly<Record<string, Readonly<Partial<Record<PricedStorageClass, ClassPrices>>>>>;
}

const US_EAST_1: Partial<Record<PricedStorageClass, ClassPrices>> = {
  STANDARD: { storagePerGBMonth: 0.023, putPer1000: 0.005 },
  INTELLIGENT_TIERING: { storagePerGBMonth: 0.023, putPer1000: 0.005 },
  STANDARD_IA: { storagePerGBMonth: 0.0125, putPer1000: 0.01, retrievalPerGB: 0.01 },
  ONEZONE_IA: { storagePerGBMonth: 0.01, putPer1000: 0.01, retrievalPerGB: 0.01 },
  GLACIER_IR: { storagePerGBMonth: 0.004, putPer1000: 0.02, retrievalPerGB: 0.03 },
  GLACIER: { storagePerGBMonth: 0.0036, putPer1000: 0.03, retrievalPerGB: 0.01 },
  DEEP_ARCHIVE: { storagePerGBMonth: 0.00099, putPer1000: 0.05, retrievalPerGB: 0.02 },
};

/**
 * The table shipped with s3kit: AWS's S3 pricing page, us-east-1 (us-east-2 and us-west-2 list the
 * same figures). These were NOT re-verified against the live page when the table was written (no web
 * access); override them with a table of your own (`--prices FILE`) when it matters.
 * @public
 */
export const DEFAULT_PRICE_TABLE: PriceTable = {
  date: '2024-06-01',
  source: 'https://aws.amazon.com/s3/pricing/',
  note: 'us-east-1 list prices as published on the AWS S3 pricing page; not re-verified against the live page. STANDARD uses the first-50-TB tier.',
  regions: { 'us-east-1': US_EAST_1, 'us-east-2': US_EAST_1, 'us-west-2': US_EAST_1 },
};

function isPricedClass(name: string): name is PricedStorageClass {
  return (PRICED_STORAGE_CLASSES as readonly string[]).includes(name);
}

function checkPrice(list: ProblemList, path: string, value: unknown, required: boolean): void {
  if (value === undefined && !required) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    list.error(path, value, `${path} must be a price in US dollars (a number of 0 or more); found ${show(value)}.`, `Set ${path} to a number such as 0.023.`);
  }
}

/**
 * Checks a price table (e.g. a user's `--prices` file, parsed JSON). Every problem names its JSON
 * path, the value and the fix; an empty list means the table can be used.
 * @public
 */
export function validatePriceTable(table: unknown): ValidationProblem[] {
  const list = new ProblemList();
  if (!isObject(table)) {
    list.error('', table, 'A price table must be a JSON object.', 'Write { "date": ..., "source": ..., "regions": { ... } }.');
    return list.problems;
  }
  if (typeof table.date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(table.date)) {
    list.error('date', table.date, 'date must be the day the prices were taken, as YYYY-MM-DD.', 'Set "date": "2024-06-01" (the day you read the prices).');
  }
  if (typeof table.source !== 'string' || table.source === '') {
    list.error('source', table.source, 'source must say where the prices came from.', 'Set "source" to the pricing page URL.');
  }
  if (!isObject(table.regions) || Object.keys(table.regions).length === 0) {
    list.error('regions', table.regions, 'regions must be an object with at least one region code.', 'Set "regions": { "us-east-1": { "STANDARD": { ... } } }.');
    return list.problems;
  }
  for (const [region, classes] of Object.entries(table.regions)) {
    const regionPath = child('regions', region);
    if (!isObject(classes)) {
      list.error(regionPath, classes, `${regionPath} must be an object of storage classes.`, 'Map class names such as "STANDARD" to their prices.');
      continue;
    }
    for (const [name, prices] of Object.entries(classes)) {
      const classPath = child(regionPath, name);
      if (!isPricedClass(name)) {
        list.error(classPath, name, `${name} is not a storage class s3kit prices.`, `Use one of ${PRICED_STORAGE_CLASSES.join(', ')}.`);
        continue;
      }
      if (!isObject(prices)) {
        list.error(classPath, prices, `${classPath} must be an object.`, 'Give storagePerGBMonth and putPer1000 (and retrievalPerGB).');
        continue;
      }
      checkPrice(list, child(classPath, 'storagePerGBMonth'), prices.storagePerGBMonth, true);
      checkPrice(list, child(classPath, 'putPer1000'), prices.putPer1000, true);
      checkPrice(list, child(classPath, 'retrievalPerGB'), prices.retrievalPerGB, false);
    }
  }
  return list.problems;
}
