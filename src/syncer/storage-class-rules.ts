import bytes from 'bytes-iec';
import type { Action, StorageChoice } from '../core/action.js';
import type { Entry } from '../core/entry.js';
import { ConfigError } from '../core/errors.js';
import type { SyncWarning } from '../core/events.js';
import { assertKnownNames } from '../core/validate.js';
import { billsSmallObjectsAsMinimum, isArchivedClass, MINIMUM_BILLABLE_OBJECT_SIZE, S3_STORAGE_CLASSES } from '../core/storage-class.js';
import { compileFnmatch } from '../listing/fnmatch.js';

/**
 * One rule of `storageClassRules`: objects it matches are written in `storageClass`. A rule
 * matches when every condition it has holds; a rule without conditions matches everything.
 * @public
 */
export interface StorageClassRule {
  /**
   * An aws-cli pattern matched against the whole key relative to the location root, as
   * `--include` is (`*` crosses `/`: `*.mp4` matches `video/a.mp4`).
   * @defaultValue every key
   */
  readonly include?: string;
  /**
   * Only source files or objects of at least this size: bytes, or text such as `'128KiB'` or
   * `'1MB'` (K, M, G, T are powers of 1024, as aws-cli reads `MB`).
   * @defaultValue no lower bound
   */
  readonly minSize?: number | string;
  /**
   * Only sources last modified at least this long before the run: a whole number with a unit,
   * `s`, `m`, `h`, `d` or `w` (`'30d'`). Local files by their mtime, objects by LastModified.
   * @defaultValue no age condition
   */
  readonly olderThan?: string;
  /** The class to write matching objects in, e.g. `STANDARD_IA`. */
  readonly storageClass: string;
  /**
   * Accept a rule that may put objects under 128 KiB in `STANDARD_IA`, `ONEZONE_IA` or
   * `GLACIER_IR`, each of which S3 bills as 128 KiB. Without it such a rule is refused: give it a
   * `minSize` of at least `'128KiB'`.
   * @defaultValue `false`
   */
  readonly force?: boolean;
}

const RULE_FIELDS = { include: true, minSize: true, olderThan: true, storageClass: true, force: true } as const satisfies Record<keyof StorageClassRule, true>;

const AGE = /^\s*(\d+)\s*([smhdw])\s*$/;
const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

interface CompiledRule {
  readonly pattern: RegExp | undefined;
  readonly minSize: number | undefined;
  readonly olderThanMs: number | undefined;
  readonly storageClass: string;
}

/**
 * The storage class of each object a sync writes: the first of the rules that matches, else the
 * fallback (`upload.storageClass`, which may be none).
 */
export class StorageClassChooser {
  readonly #rules: readonly CompiledRule[];
  readonly #fallback: string | undefined;

  constructor(rules: readonly CompiledRule[], fallback: string | undefined) {
    this.#rules = rules;
    this.#fallback = fallback;
  }

  /** The class for a source entry, judged at `nowMs`, and the index of the rule that chose it. */
  choose(entry: Entry, nowMs: number): StorageChoice {
    for (const [index, rule] of this.#rules.entries()) {
      if (rule.pattern !== undefined && !rule.pattern.test(entry.key)) continue;
      if (rule.minSize !== undefined && entry.size < rule.minSize) continue;
      if (rule.olderThanMs !== undefined && nowMs - entry.mtimeMs < rule.olderThanMs) continue;
      return { storageClass: rule.storageClass, storageClassRule: index };
    }
    return this.#fallback === undefined ? {} : { storageClass: this.#fallback };
  }

  /** The actions with the class of every copy and update set; other actions as they are. */
  async *annotate(actions: AsyncIterable<Action>, nowMs: number): AsyncGenerator<Action> {
    for await (const action of actions) {
      yield action.type === 'copy' || action.type === 'update' ? { ...action, ...this.choose(action.source, nowMs) } : action;
    }
  }
}

/**
 * Validates `storageClassRules` (each field named in the error, with its index) and compiles
 * them; undefined when there are none. Refuses rules that may put objects under 128 KiB in a
 * class that bills them as 128 KiB, unless the rule says `force`. Returns a warning for each
 * rule that writes an archive class (GLACIER, DEEP_ARCHIVE), whose objects a download cannot read
 * before a restore.
 */
export function resolveStorageClassRules(
  rules: readonly StorageClassRule[] | undefined,
  context: { readonly targetInS3: boolean; readonly fallback: string | undefined },
): { readonly chooser: StorageClassChooser; readonly warnings: readonly SyncWarning[] } | undefined {
  if (rules === undefined) return undefined;
  if (!Array.isArray(rules)) throw new ConfigError('storageClassRules', 'storageClassRules must be an array of rules such as { include: "*.mp4", minSize: "128KiB", storageClass: "STANDARD_IA" }.');
  if (rules.length === 0) return undefined;
  if (!context.targetInS3) throw new ConfigError('storageClassRules', 'storageClassRules choose how objects are stored in S3, and the target is a local directory: leave them out.');
  const warnings: SyncWarning[] = [];
  const compiled = rules.map((rule, index): CompiledRule => {
    const at = `storageClassRules[${index}]`;
    if (typeof rule !== 'object' || rule === null || Array.isArray(rule)) throw new ConfigError(at, `${at} must be an object with storageClass and optional include, minSize, olderThan, force.`);
    assertKnownNames(rule, RULE_FIELDS, `${at}.`);
    const storageClass = rule.storageClass;
    if (typeof storageClass !== 'string' || !S3_STORAGE_CLASSES.includes(storageClass)) {
      throw new ConfigError(`${at}.storageClass`, `${at}.storageClass must be one of ${S3_STORAGE_CLASSES.join(', ')}; got ${JSON.stringify(storageClass)}.`);
    }
    if (rule.include !== undefined && (typeof rule.include !== 'string' || rule.include === '')) {
      throw new ConfigError(`${at}.include`, `${at}.include must be a non-empty pattern such as "*.mp4" (aws-cli --include syntax); got ${JSON.stringify(rule.include)}.`);
    }
    if (rule.force !== undefined && typeof rule.force !== 'boolean') throw new ConfigError(`${at}.force`, `${at}.force must be true or false; got ${JSON.stringify(rule.force)}.`);
    const minSize = rule.minSize === undefined ? undefined : sizeOf(rule.minSize, `${at}.minSize`);
    const olderThanMs = rule.olderThan === undefined ? undefined : ageOf(rule.olderThan, `${at}.olderThan`);
    if (billsSmallObjectsAsMinimum(storageClass) && (minSize ?? 0) < MINIMUM_BILLABLE_OBJECT_SIZE && rule.force !== true) {
      throw new ConfigError(
        `${at}.minSize`,
        `${at}.minSize is ${minSize === undefined ? 'not set' : `${minSize} bytes`}, so the rule may put objects under 128 KiB in ${storageClass}, ` +
          `which bills every object as at least 128 KiB: set minSize to "128KiB" (or more), or force: true to accept the charge.`,
      );
    }
    if (isArchivedClass(storageClass)) {
      warnings.push({
        code: 'archived-storage-class',
        path: at,
        message: `${at} writes objects in ${storageClass}: they need a restore before they can be downloaded or copied (aws s3api restore-object or the S3 console; minutes to 48 hours).`,
        incompleteListing: false,
      });
    }
    return { pattern: rule.include === undefined ? undefined : compileFnmatch(rule.include), minSize, olderThanMs, storageClass };
  });
  return { chooser: new StorageClassChooser(compiled, context.fallback), warnings };
}

function sizeOf(value: number | string, field: string): number {
  const parsed = typeof value === 'number' ? value : /^\s*\d/.test(value) ? bytes.parse(value, { mode: 'jedec' }) : null;
  if (typeof parsed !== 'number' || !Number.isFinite(parsed) || parsed < 0) {
    throw new ConfigError(field, `${field} must be a number of bytes or a size such as "128KiB" or "1MB" (powers of 1024); got ${JSON.stringify(value)}.`);
  }
  return Math.round(parsed);
}

function ageOf(value: string, field: string): number {
  const match = typeof value === 'string' ? AGE.exec(value) : null;
  if (match === null) throw new ConfigError(field, `${field} must be a whole number with a unit s, m, h, d or w, such as "30d"; got ${JSON.stringify(value)}.`);
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}
