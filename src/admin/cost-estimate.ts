/**
 * What storing data in one S3 storage class costs: storage per month with the class's
 * minimum-size and minimum-duration charges, and the PUT requests of a first sync.
 */
import { ConfigError } from '../core/errors.js';
import { DEFAULT_PRICE_TABLE, type PriceTable, type PricedStorageClass } from './price-table.js';

/** AWS bills a GB as 2^30 bytes. */
const GIB = 2 ** 30;
/** Days AWS counts in a month for the minimum-duration charge. */
const DAYS_PER_MONTH = 30;

/**
 * Billing minimums per class (S3 pricing page footnotes): objects smaller than `minObjectBytes`
 * are billed as that size; objects removed before `minDays` are billed for `minDays`.
 */
const MINIMUMS: Readonly<Record<PricedStorageClass, { minObjectBytes: number; minDays: number }>> = {
  STANDARD: { minObjectBytes: 0, minDays: 0 },
  INTELLIGENT_TIERING: { minObjectBytes: 0, minDays: 0 },
  STANDARD_IA: { minObjectBytes: 128 * 1024, minDays: 30 },
  ONEZONE_IA: { minObjectBytes: 128 * 1024, minDays: 30 },
  GLACIER_IR: { minObjectBytes: 128 * 1024, minDays: 90 },
  GLACIER: { minObjectBytes: 0, minDays: 90 },
  DEEP_ARCHIVE: { minObjectBytes: 0, minDays: 180 },
};

/**
 * What to estimate.
 * @public
 */
export interface CostEstimateInput {
  /** Total bytes stored. */
  readonly sizeBytes: number;
  /** Number of objects (the minimum-size charge uses the average object size). */
  readonly objects: number;
  /** The storage class. */
  readonly storageClass: PricedStorageClass;
  /** The region code, a key of the price table. @defaultValue `'us-east-1'` */
  readonly region?: string;
  /** How many months the data is kept. @defaultValue 1 */
  readonly months?: number;
  /** The prices to use. @defaultValue {@link DEFAULT_PRICE_TABLE} */
  readonly prices?: PriceTable;
}

/**
 * An estimate, in US dollars.
 * @public
 */
export interface CostEstimate {
  readonly storageClass: PricedStorageClass;
  readonly region: string;
  readonly months: number;
  /** GB (2^30 bytes) billed per month, after the minimum object size. */
  readonly billedGiB: number;
  /** Months billed: `months`, or the class's minimum duration when that is longer. */
  readonly billedMonths: number;
  /** Storage per month. */
  readonly monthlyStorageCost: number;
  /** Storage over `billedMonths`. */
  readonly storageCost: number;
  /** One PUT per object, as a first sync makes (multipart uploads make more). */
  readonly firstSyncPutCost: number;
  /** `storageCost + firstSyncPutCost`. */
  readonly totalCost: number;
  /** Retrieval of all data once, per the table (0 when it lists none). */
  readonly retrievalCostOnce: number;
  /** The minimums applied and what retrieval involves, as sentences. */
  readonly notes: readonly string[];
  /** The table's date and source. */
  readonly pricesDate: string;
  readonly pricesSource: string;
}

/**
 * Estimates storage and first-sync request costs for data in one storage class.
 * @throws ConfigError for an unknown region or class, or sizes that are not numbers of 0 or more.
 * @public
 */
export function estimateStorageCost(input: CostEstimateInput): CostEstimate {
  const table = input.prices ?? DEFAULT_PRICE_TABLE;
  const region = input.region ?? 'us-east-1';
  const months = input.months ?? 1;
  for (const [field, value] of [['sizeBytes', input.sizeBytes], ['objects', input.objects], ['months', months]] as const) {
    if (!Number.isFinite(value) || value < 0) throw new ConfigError(field, `${field} must be a number of 0 or more; got ${String(value)}.`);
  }
  const regionPrices = table.regions[region];
  if (regionPrices === undefined) {
    throw new ConfigError('region', `No prices for region ${region}; the price table (${table.date}) has ${Object.keys(table.regions).join(', ')}. Give --prices FILE with that region.`);
  }
  const prices = regionPrices[input.storageClass];
  if (prices === undefined) {
    throw new ConfigError('storageClass', `No prices for ${input.storageClass} in ${region}; the table has ${Object.keys(regionPrices).join(', ')}.`);
  }
  const minimums = MINIMUMS[input.storageClass];
  const notes: string[] = [];
  let billedBytes = input.sizeBytes;
  if (input.objects > 0 && minimums.minObjectBytes > 0 && input.sizeBytes / input.objects < minimums.minObjectBytes) {
    billedBytes = input.objects * minimums.minObjectBytes;
    notes.push(`${input.storageClass} bills objects under 128 KiB as 128 KiB: the average object is ${Math.round(input.sizeBytes / input.objects)} bytes, so ${(billedBytes / GIB).toFixed(2)} GB are billed.`);
  }
  const minMonths = minimums.minDays / DAYS_PER_MONTH;
  const billedMonths = Math.max(months, minMonths);
  if (minMonths > months) {
    notes.push(`${input.storageClass} bills a minimum of ${minimums.minDays} days: data kept ${months} month(s) is billed for ${billedMonths}.`);
  }
  if (input.storageClass === 'GLACIER' || input.storageClass === 'DEEP_ARCHIVE') {
    notes.push(`${input.storageClass} objects must be restored (s3 restore-object) before they can be downloaded; standard retrieval takes hours. S3 also bills 40 KB of metadata per object, not counted here.`);
  }
  const billedGiB = billedBytes / GIB;
  const monthlyStorageCost = billedGiB * prices.storagePerGBMonth;
  const storageCost = monthlyStorageCost * billedMonths;
  const firstSyncPutCost = (input.objects / 1000) * prices.putPer1000;
  return {
    storageClass: input.storageClass,
    region,
    months,
    billedGiB,
    billedMonths,
    monthlyStorageCost,
    storageCost,
    firstSyncPutCost,
    totalCost: storageCost + firstSyncPutCost,
    retrievalCostOnce: (input.sizeBytes / GIB) * (prices.retrievalPerGB ?? 0),
    notes,
    pricesDate: table.date,
    pricesSource: table.source,
  };
}
