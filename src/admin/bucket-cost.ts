/**
 * What a bucket (or prefix) costs as it stands, from a streaming listing: storage per class with
 * S3's minimum billable object size, the requests of syncing it once, and what a lifecycle
 * configuration would save. Memory holds one row per class and per (rule, from, to) group,
 * never the keys.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { ConfigError } from '../core/errors.js';
import { assertOrdered } from '../core/ordered-listing.js';
import { listS3, type Entry, type S3Location } from '../index.js';
import type { LifecycleConfigurationDocument, LifecycleRule } from './lifecycle-document.js';
import { DEFAULT_PRICE_TABLE, type ClassPrices, type PriceTable, type PricedStorageClass } from './price-table.js';

/** AWS bills a GB as 2^30 bytes. */
const GIB = 2 ** 30;
const DAY_MS = 86_400_000;
/** Objects under this size are billed as this size in the IA classes and GLACIER_IR. */
const MIN_BILLABLE_BYTES = 128 * 1024;
const MIN_BILLABLE_CLASSES: ReadonlySet<string> = new Set(['STANDARD_IA', 'ONEZONE_IA', 'GLACIER_IR']);
/** Days a class bills at least, once an object is in it. */
const MINIMUM_DAYS: Readonly<Record<string, number>> = { STANDARD_IA: 30, ONEZONE_IA: 30, GLACIER_IR: 90, GLACIER: 90, DEEP_ARCHIVE: 180 };
/** Where a class stands in the order lifecycle transitions go (only ever down). */
const CLASS_ORDER: Readonly<Record<string, number>> = {
  STANDARD: 0,
  REDUCED_REDUNDANCY: 0,
  INTELLIGENT_TIERING: 1,
  STANDARD_IA: 1,
  ONEZONE_IA: 2,
  GLACIER_IR: 3,
  GLACIER: 4,
  DEEP_ARCHIVE: 5,
};
/** A ListObjectsV2 page holds at most this many keys. */
const KEYS_PER_LIST = 1000;

/**
 * Options of {@link estimateBucketCost} and {@link BucketCostAggregator}.
 * @public
 */
export interface BucketCostOptions {
  /** The region code, a key of the price table. @defaultValue `'us-east-1'` */
  readonly region?: string;
  /** The prices to use. @defaultValue {@link DEFAULT_PRICE_TABLE} */
  readonly prices?: PriceTable;
  /** A lifecycle configuration whose savings to estimate (a template rendering or a file). @defaultValue none */
  readonly lifecycle?: LifecycleConfigurationDocument;
  /** The time ages are measured from (ms). @defaultValue `Date.now()` */
  readonly now?: number;
  /** Cancels the listing. */
  readonly signal?: AbortSignal;
}

/**
 * The objects of one storage class and what they cost per month.
 * @public
 */
export interface ClassCost {
  readonly storageClass: string;
  readonly objects: number;
  readonly bytes: number;
  /** Bytes billed: objects under 128 KiB count as 128 KiB in STANDARD_IA, ONEZONE_IA and GLACIER_IR. */
  readonly billedBytes: number;
  /** US dollars per month; undefined for a class the price table does not list. */
  readonly monthlyCost: number | undefined;
}

/**
 * The objects one lifecycle rule would move from one class to another (or expire), and the money.
 * @public
 */
export interface LifecycleSaving {
  /** The rule's ID, or `Rules[i]`. */
  readonly rule: string;
  readonly fromClass: string;
  /** The class the rule puts them in now, or `'expired'`. */
  readonly toClass: string;
  readonly objects: number;
  readonly bytes: number;
  /** What they cost per month where they are. */
  readonly monthlyCostBefore: number;
  /** What they would cost per month after the rule (0 once expired). */
  readonly monthlyCostAfter: number;
  /** `monthlyCostBefore - monthlyCostAfter`; negative when the rule costs more (small objects, say). */
  readonly monthlySaving: number;
  /** The one-time lifecycle transition requests (priced as PUTs into the target class). */
  readonly transitionCost: number;
  /** Days the target class bills at least; 0 for none. */
  readonly minimumDays: number;
}

/**
 * What a bucket or prefix costs.
 * @public
 */
export interface BucketCost {
  readonly region: string;
  readonly totals: { readonly objects: number; readonly bytes: number };
  /** Largest monthly cost first. */
  readonly classes: readonly ClassCost[];
  /** US dollars per month, over the classes the table prices. */
  readonly monthlyStorageCost: number;
  /** Syncing every object once into its class: a PUT each, and the LIST pages of both sides. */
  readonly syncRequestCost: { readonly puts: number; readonly lists: number; readonly cost: number };
  /** Present when a lifecycle configuration was given. */
  readonly lifecycle?: {
    readonly savings: readonly LifecycleSaving[];
    readonly monthlySaving: number;
    readonly transitionCost: number;
    /**
     * The monthly saving once every listed object has aged past the rules' days (and dates): what
     * the rules are worth in steady state, where `monthlySaving` is only what they would do today.
     */
    readonly eventualMonthlySaving: number;
    /** Rules that could not be judged from a listing (tag filters, disabled), with why. */
    readonly notEvaluated: readonly string[];
  };
  readonly notes: readonly string[];
  readonly pricesDate: string;
  readonly pricesSource: string;
}

interface Tally {
  objects: number;
  bytes: number;
  billedBytes: number;
}

interface SavingTally {
  readonly rule: string;
  readonly fromClass: string;
  readonly toClass: string;
  objects: number;
  bytes: number;
  before: number;
  after: number;
  transitionCost: number;
}

/** The bytes an object is billed for in a class. */
function billedBytesOf(size: number, storageClass: string): number {
  return MIN_BILLABLE_CLASSES.has(storageClass) ? Math.max(size, MIN_BILLABLE_BYTES) : size;
}

/**
 * Aggregates a listing, one object at a time, into a {@link BucketCost}.
 * @public
 */
export class BucketCostAggregator {
  readonly #prices: Readonly<Partial<Record<PricedStorageClass, ClassPrices>>>;
  readonly #table: PriceTable;
  readonly #region: string;
  readonly #rules: readonly { readonly name: string; readonly rule: LifecycleRule }[];
  readonly #notEvaluated: string[] = [];
  readonly #now: number;
  readonly #classes = new Map<string, Tally>();
  readonly #savings = new Map<string, SavingTally>();
  #smallSkipped = 0;
  /** Monthly cost before and after the rules, had every object aged past them. */
  readonly #eventual = { before: 0, after: 0 };

  constructor(options: Omit<BucketCostOptions, 'signal'> = {}) {
    this.#table = options.prices ?? DEFAULT_PRICE_TABLE;
    this.#region = options.region ?? 'us-east-1';
    const prices = this.#table.regions[this.#region];
    if (prices === undefined) {
      throw new ConfigError('region', `No prices for region ${this.#region}; the price table (${this.#table.date}) has ${Object.keys(this.#table.regions).join(', ')}. Give --prices FILE with that region.`);
    }
    this.#prices = prices;
    this.#now = options.now ?? Date.now();
    const rules: { name: string; rule: LifecycleRule }[] = [];
    (options.lifecycle?.Rules ?? []).forEach((rule, index) => {
      const name = rule.ID ?? `Rules[${index}]`;
      if (rule.Status !== 'Enabled') this.#notEvaluated.push(`${name}: disabled`);
      else if (rule.Filter?.Tag !== undefined || (rule.Filter?.And?.Tags?.length ?? 0) > 0) this.#notEvaluated.push(`${name}: filters on tags, which a listing does not show`);
      else rules.push({ name, rule });
    });
    this.#rules = rules;
  }

  /** Counts one listed object. */
  add(entry: Pick<Entry, 'key' | 'size' | 'mtimeMs' | 'storageClass'>): void {
    const storageClass = entry.storageClass ?? 'STANDARD';
    const tally = this.#classes.get(storageClass) ?? { objects: 0, bytes: 0, billedBytes: 0 };
    tally.objects++;
    tally.bytes += entry.size;
    tally.billedBytes += billedBytesOf(entry.size, storageClass);
    this.#classes.set(storageClass, tally);
    this.#countEventual(entry, storageClass);
    for (const { name, rule } of this.#rules) {
      if (!matches(rule, entry)) continue;
      const outcome = this.#outcome(rule, entry, storageClass, this.#now);
      if (outcome === 'small') this.#smallSkipped++;
      if (outcome === undefined || outcome === 'small') continue;
      // The first rule that acts on an object decides it (S3 resolves conflicts itself; the
      // estimate counts each object once).
      this.#count(name, storageClass, outcome, entry.size);
      return;
    }
  }

  /** The first acting rule's outcome for this object at the end of time, into the steady-state totals. */
  #countEventual(entry: Pick<Entry, 'key' | 'size' | 'mtimeMs'>, storageClass: string): void {
    const billed = billedBytesOf(entry.size, storageClass);
    const before = this.#monthly(storageClass, billed) ?? 0;
    let after = before;
    for (const { rule } of this.#rules) {
      if (!matches(rule, entry)) continue;
      const outcome = this.#outcome(rule, entry, storageClass, Number.POSITIVE_INFINITY);
      if (outcome === undefined || outcome === 'small') continue;
      after = outcome === 'expired' ? 0 : (this.#monthly(outcome, billedBytesOf(entry.size, outcome)) ?? 0);
      break;
    }
    this.#eventual.before += before;
    this.#eventual.after += after;
  }

  /** What a rule does to an object of this class at time `at` (ms): a class, expiry, or nothing. */
  #outcome(rule: LifecycleRule, entry: Pick<Entry, 'size' | 'mtimeMs'>, storageClass: string, at: number): string | 'small' | undefined {
    const age = (at - entry.mtimeMs) / DAY_MS;
    const due = (when: { readonly Days?: number; readonly Date?: string }): boolean =>
      when.Days !== undefined ? age >= when.Days : when.Date !== undefined && Date.parse(when.Date) <= at;
    if (rule.Expiration !== undefined && (rule.Expiration.Days !== undefined || rule.Expiration.Date !== undefined) && due(rule.Expiration)) return 'expired';
    let target: string | undefined;
    for (const transition of rule.Transitions ?? []) {
      if (due(transition) && (target === undefined || CLASS_ORDER[transition.StorageClass]! > CLASS_ORDER[target]!)) target = transition.StorageClass;
    }
    if (target === undefined || (CLASS_ORDER[storageClass] ?? 0) >= CLASS_ORDER[target]!) return undefined;
    // Since September 2024 S3 does not transition objects under 128 KiB unless the rule's filter
    // names a smaller minimum size.
    const floor = rule.Filter?.ObjectSizeGreaterThan ?? rule.Filter?.And?.ObjectSizeGreaterThan;
    if (entry.size < MIN_BILLABLE_BYTES && (floor === undefined || floor >= MIN_BILLABLE_BYTES)) return 'small';
    return target;
  }

  #count(rule: string, fromClass: string, toClass: string, size: number): void {
    const key = JSON.stringify([rule, fromClass, toClass]);
    const tally = this.#savings.get(key) ?? { rule, fromClass, toClass, objects: 0, bytes: 0, before: 0, after: 0, transitionCost: 0 };
    tally.objects++;
    tally.bytes += size;
    tally.before += this.#monthly(fromClass, billedBytesOf(size, fromClass)) ?? 0;
    if (toClass !== 'expired') {
      tally.after += this.#monthly(toClass, billedBytesOf(size, toClass)) ?? 0;
      tally.transitionCost += (this.#prices[toClass as PricedStorageClass]?.putPer1000 ?? 0) / 1000;
    }
    this.#savings.set(key, tally);
  }

  #monthly(storageClass: string, billedBytes: number): number | undefined {
    const prices = this.#prices[storageClass as PricedStorageClass];
    return prices === undefined ? undefined : (billedBytes / GIB) * prices.storagePerGBMonth;
  }

  /** The estimate of everything added so far. */
  result(): BucketCost {
    const classes: ClassCost[] = [...this.#classes].map(([storageClass, tally]) => ({ storageClass, ...tally, monthlyCost: this.#monthly(storageClass, tally.billedBytes) }));
    classes.sort((a, b) => (b.monthlyCost ?? 0) - (a.monthlyCost ?? 0) || b.bytes - a.bytes);
    const totals = { objects: classes.reduce((sum, c) => sum + c.objects, 0), bytes: classes.reduce((sum, c) => sum + c.bytes, 0) };
    const notes: string[] = [];
    for (const c of classes) {
      if (c.monthlyCost === undefined) notes.push(`${c.storageClass} is not in the price table: its ${c.objects} object(s) are not priced.`);
      else if (c.billedBytes > c.bytes) notes.push(`${c.storageClass} bills objects under 128 KiB as 128 KiB: ${(c.billedBytes / GIB).toFixed(3)} GB billed for ${(c.bytes / GIB).toFixed(3)} GB stored.`);
      if (c.storageClass === 'GLACIER' || c.storageClass === 'DEEP_ARCHIVE') notes.push(`${c.storageClass} also bills 40 KB of metadata per object (not counted here).`);
    }
    const puts = classes.reduce((sum, c) => sum + (this.#prices[c.storageClass as PricedStorageClass] === undefined ? 0 : c.objects), 0);
    const putCost = classes.reduce((sum, c) => sum + (c.objects / 1000) * (this.#prices[c.storageClass as PricedStorageClass]?.putPer1000 ?? 0), 0);
    const lists = 2 * Math.max(1, Math.ceil(totals.objects / KEYS_PER_LIST));
    const listCost = (lists / 1000) * (this.#prices.STANDARD?.putPer1000 ?? 0);
    const result: BucketCost = {
      region: this.#region,
      totals,
      classes,
      monthlyStorageCost: classes.reduce((sum, c) => sum + (c.monthlyCost ?? 0), 0),
      syncRequestCost: { puts, lists, cost: putCost + listCost },
      notes,
      pricesDate: this.#table.date,
      pricesSource: this.#table.source,
    };
    if (this.#rules.length === 0 && this.#notEvaluated.length === 0) return result;
    const savings: LifecycleSaving[] = [...this.#savings.values()].map((s) => ({
      rule: s.rule,
      fromClass: s.fromClass,
      toClass: s.toClass,
      objects: s.objects,
      bytes: s.bytes,
      monthlyCostBefore: s.before,
      monthlyCostAfter: s.after,
      monthlySaving: s.before - s.after,
      transitionCost: s.transitionCost,
      minimumDays: MINIMUM_DAYS[s.toClass] ?? 0,
    }));
    savings.sort((a, b) => b.monthlySaving - a.monthlySaving);
    if (this.#smallSkipped > 0) notes.push(`${this.#smallSkipped} object(s) under 128 KiB that a rule matches are not transitioned: S3 leaves them unless the rule's filter sets a smaller ObjectSizeGreaterThan.`);
    for (const s of savings) {
      if (s.minimumDays > 0) notes.push(`${s.rule}: objects moved to ${s.toClass} are billed for at least ${s.minimumDays} days there, even if deleted sooner.`);
    }
    return {
      ...result,
      notes,
      lifecycle: {
        savings,
        monthlySaving: savings.reduce((sum, s) => sum + s.monthlySaving, 0),
        transitionCost: savings.reduce((sum, s) => sum + s.transitionCost, 0),
        eventualMonthlySaving: this.#eventual.before - this.#eventual.after,
        notEvaluated: [...this.#notEvaluated],
      },
    };
  }
}

/** Whether a rule's prefix and size filters take this object (tag rules were set aside). */
function matches(rule: LifecycleRule, entry: Pick<Entry, 'key' | 'size'>): boolean {
  const filter = rule.Filter;
  const prefix = filter?.And?.Prefix ?? filter?.Prefix ?? rule.Prefix ?? '';
  const above = filter?.And?.ObjectSizeGreaterThan ?? filter?.ObjectSizeGreaterThan;
  const below = filter?.And?.ObjectSizeLessThan ?? filter?.ObjectSizeLessThan;
  return entry.key.startsWith(prefix) && (above === undefined || entry.size > above) && (below === undefined || entry.size < below);
}

/**
 * Lists a bucket or prefix and estimates what it costs per month, what syncing it once costs in
 * requests, and what `lifecycle` would save (keys are matched against rule prefixes in full,
 * bucket-relative).
 * @public
 */
export async function estimateBucketCost(client: S3Client, location: S3Location, options: BucketCostOptions = {}): Promise<BucketCost> {
  const aggregator = new BucketCostAggregator(options);
  // Ordered: a server that repeats keys across pages fails the estimate instead of counting them twice.
  for await (const entry of assertOrdered(listS3(client, location, { signal: options.signal }), 'source')) {
    aggregator.add({ ...entry, key: location.prefix + entry.key });
  }
  return aggregator.result();
}
