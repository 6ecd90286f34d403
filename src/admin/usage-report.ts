/**
 * Bytes and objects under an S3 location per prefix (to a depth), per storage class and per age
 * band, aggregated as a listing streams by: memory holds one row per prefix (at most
 * `maxPrefixes`), never the keys.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { assertOrdered } from '../core/ordered-listing.js';
import { listS3, type S3Location } from '../index.js';

/**
 * How old objects are, by their LastModified.
 * @public
 */
export type AgeBand = '<30d' | '30-90d' | '90-180d' | '180-365d' | '>=365d';

/**
 * Every band, youngest first, with the age in days it starts at.
 * @public
 */
export const AGE_BANDS: readonly (readonly [AgeBand, number])[] = [
  ['<30d', 0],
  ['30-90d', 30],
  ['90-180d', 90],
  ['180-365d', 180],
  ['>=365d', 365],
];

const DAY_MS = 86_400_000;

/**
 * A byte and object count.
 * @public
 */
export interface UsageCount {
  bytes: number;
  objects: number;
}

/**
 * One prefix's usage. `prefix` is relative to the listed location; `''` holds the objects above
 * the depth's directories, `'(other)'` the prefixes past `maxPrefixes`.
 * @public
 */
export interface PrefixUsage extends UsageCount {
  readonly prefix: string;
  readonly byClass: Record<string, UsageCount>;
  readonly byAge: Partial<Record<AgeBand, UsageCount>>;
  /** Counts per class and band together (at most classes × bands entries). */
  readonly cells: readonly UsageCell[];
}

/**
 * Objects of one class in one age band under one prefix.
 * @public
 */
export interface UsageCell extends UsageCount {
  readonly storageClass: string;
  readonly ageBand: AgeBand;
}

/**
 * A usage report.
 * @public
 */
export interface UsageReport {
  /** Prefixes by bytes, largest first; `(other)` last. */
  readonly prefixes: readonly PrefixUsage[];
  readonly byClass: Record<string, UsageCount>;
  readonly byAge: Partial<Record<AgeBand, UsageCount>>;
  readonly totals: UsageCount;
  /** Objects counted in the `(other)` row. */
  readonly otherPrefixes: number;
  readonly depth: number;
  /** When ages were measured (ms since the epoch). */
  readonly now: number;
}

/**
 * Options of {@link UsageAggregator} and {@link reportUsage}.
 * @public
 */
export interface UsageOptions {
  /** Directory levels a prefix keeps: `a/b/` at 2. @defaultValue 1 */
  readonly depth?: number;
  /** Most prefix rows kept; objects under further prefixes go to one `(other)` row. @defaultValue 10000 */
  readonly maxPrefixes?: number;
  /** The time ages are measured from (ms). @defaultValue `Date.now()` */
  readonly now?: number;
}

/**
 * The first `depth` directories of `key`, with a trailing slash; `''` for a key above them.
 * @public
 */
export function prefixAtDepth(key: string, depth: number): string {
  const parts = key.split('/');
  const keep = Math.min(depth, parts.length - 1);
  return keep <= 0 ? '' : `${parts.slice(0, keep).join('/')}/`;
}

/**
 * The age band of an object last modified at `mtimeMs`.
 * @public
 */
export function ageBandOf(mtimeMs: number, now: number): AgeBand {
  const days = (now - mtimeMs) / DAY_MS;
  let band: AgeBand = '<30d';
  for (const [name, from] of AGE_BANDS) if (days >= from) band = name;
  return band;
}

const OTHER = '(other)';

interface Row {
  bytes: number;
  objects: number;
  /** `CLASS\tBAND` → count: at most classes × bands cells per prefix. */
  readonly cells: Map<string, UsageCount>;
}

/**
 * Aggregates listed objects into a {@link UsageReport}, one `add` at a time.
 * @public
 */
export class UsageAggregator {
  private readonly depth: number;
  private readonly maxPrefixes: number;
  private readonly now: number;
  private readonly rows = new Map<string, Row>();
  private other = 0;

  constructor(options: UsageOptions = {}) {
    this.depth = options.depth ?? 1;
    this.maxPrefixes = options.maxPrefixes ?? 10_000;
    this.now = options.now ?? Date.now();
  }

  /** Counts one object (a missing storage class is STANDARD, as S3 lists it). */
  add(object: { readonly key: string; readonly size: number; readonly mtimeMs: number; readonly storageClass?: string }): void {
    let prefix = prefixAtDepth(object.key, this.depth);
    let row = this.rows.get(prefix);
    if (row === undefined) {
      if (this.rows.size >= this.maxPrefixes) {
        prefix = OTHER;
        row = this.rows.get(OTHER);
      }
      if (row === undefined) {
        row = { bytes: 0, objects: 0, cells: new Map() };
        this.rows.set(prefix, row);
      }
    }
    if (prefix === OTHER) this.other += 1;
    row.bytes += object.size;
    row.objects += 1;
    const cellKey = `${object.storageClass ?? 'STANDARD'}\t${ageBandOf(object.mtimeMs, this.now)}`;
    const cell = row.cells.get(cellKey) ?? { bytes: 0, objects: 0 };
    cell.bytes += object.size;
    cell.objects += 1;
    row.cells.set(cellKey, cell);
  }

  /** The report so far. */
  result(): UsageReport {
    const byClass: Record<string, UsageCount> = {};
    const byAge: Partial<Record<AgeBand, UsageCount>> = {};
    const totals = { bytes: 0, objects: 0 };
    const prefixes: PrefixUsage[] = [];
    for (const [prefix, row] of this.rows) {
      const rowClass: Record<string, UsageCount> = {};
      const rowAge: Partial<Record<AgeBand, UsageCount>> = {};
      const cells: UsageCell[] = [];
      for (const [cellKey, cell] of row.cells) {
        const [storageClass, band] = cellKey.split('\t') as [string, AgeBand];
        cells.push({ storageClass, ageBand: band, bytes: cell.bytes, objects: cell.objects });
        for (const [record, name] of [[rowClass, storageClass], [rowAge, band], [byClass, storageClass], [byAge, band]] as const) {
          const count = ((record as Record<string, UsageCount>)[name] ??= { bytes: 0, objects: 0 });
          count.bytes += cell.bytes;
          count.objects += cell.objects;
        }
      }
      totals.bytes += row.bytes;
      totals.objects += row.objects;
      prefixes.push({ prefix, bytes: row.bytes, objects: row.objects, byClass: rowClass, byAge: rowAge, cells });
    }
    prefixes.sort((a, b) => Number(a.prefix === OTHER) - Number(b.prefix === OTHER) || b.bytes - a.bytes || (a.prefix < b.prefix ? -1 : 1));
    return { prefixes, byClass, byAge, totals, otherPrefixes: this.other, depth: this.depth, now: this.now };
  }
}

function csvField(value: string | number): string {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * A usage report as CSV: `prefix,storage_class,age_band,bytes,objects`, one row per prefix, class
 * and band that has objects.
 * @public
 */
export function usageCsv(report: UsageReport): string {
  const lines = ['prefix,storage_class,age_band,bytes,objects'];
  for (const row of report.prefixes) {
    for (const cell of row.cells) lines.push([row.prefix, cell.storageClass, cell.ageBand, cell.bytes, cell.objects].map(csvField).join(','));
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Lists `location` (streaming, one page at a time) and aggregates its objects.
 * @public
 */
export async function reportUsage(client: S3Client, location: S3Location, options: UsageOptions & { readonly signal?: AbortSignal } = {}): Promise<UsageReport> {
  const aggregator = new UsageAggregator(options);
  // Ordered: a server that repeats keys across pages fails the report instead of counting them twice.
  for await (const entry of assertOrdered(listS3(client, location, { signal: options.signal }), 'source')) aggregator.add(entry);
  return aggregator.result();
}
