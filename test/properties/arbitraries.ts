import fc from 'fast-check';
import type { CompareMode, FilterRule } from 's3kit';

/**
 * Generators of sync cases: local trees, S3 key sets, filters, options and fault schedules.
 * Every case is plain data (strings, numbers, arrays), so fast-check prints a counterexample
 * that can be read and replayed; `materialize` in scenario.ts turns it into files and objects.
 */

/** A path segment: text, or raw bytes that are not valid UTF-8 (Linux allows them in names). */
export type Name = string | { readonly bytes: readonly number[] };

/** A regular file: its path, size and the seed of its bytes. */
export interface FileSpec {
  readonly path: readonly Name[];
  readonly size: number;
  readonly seed: number;
}

/** Where a symbolic link points. */
export type LinkTarget =
  /** A file in the sandbox's "outside" directory. */
  | 'outside-file'
  /** A directory in the sandbox's "outside" directory (holding files o1, o2). */
  | 'outside-dir'
  /** Nothing. */
  | 'broken'
  /** The tree's root (a loop when the link is inside it). */
  | 'root'
  /** The n-th file of the same tree (modulo the count; broken when there is none). */
  | { readonly file: number };

export interface LinkSpec {
  readonly path: readonly Name[];
  readonly to: LinkTarget;
}

/** A local tree: files, (empty) directories and symbolic links. Conflicting paths: first wins. */
export interface TreeSpec {
  readonly files: readonly FileSpec[];
  readonly dirs: readonly (readonly Name[])[];
  readonly links: readonly LinkSpec[];
}

/** An object: key (relative to some prefix, or full), size, seed of its bytes. */
export interface ObjectSpec {
  readonly key: string;
  readonly size: number;
  readonly seed: number;
}

/** The options a case runs with. */
export interface OptionSpec {
  readonly delete: boolean;
  readonly deleteExcluded: boolean;
  readonly compare: CompareMode;
  readonly ignorePatterns: readonly string[];
  readonly rules: readonly FilterRule[];
  readonly state: 'none' | 'memory' | 'json';
  readonly concurrency: number;
}

/** What the fault proxy does to matching requests. */
export type FaultKind = 'status-500' | 'status-503' | 'drop-response' | 'cut-request-body' | 'corrupt-response' | 'corrupt-request' | 'hang';

export interface FaultRuleSpec {
  /** S3 operation name as the proxy classifies it (PutObject, UploadPart, GetObject…), or `*`. */
  readonly operation: string;
  readonly kind: FaultKind;
  /** Chance a matching request is hit (percent). */
  readonly percent: number;
  /** How many requests it hits at most. */
  readonly times: number;
}

export interface FaultSpec {
  readonly rules: readonly FaultRuleSpec[];
  /**
   * A local source file rewritten while it is uploaded: the n-th transfer to start (at its
   * start, or at its first progress for a file uploaded in parts), or `big.bin`.
   */
  readonly rewrite?: number | 'big.bin';
  /** Abort the run's signal after this many milliseconds (a kill or a cancel). */
  readonly abortAfterMs: number | undefined;
  /** Seed of the proxy's draws. */
  readonly seed: number;
}

export const LOCAL_TO_S3 = 'local-to-s3';
export const S3_TO_LOCAL = 's3-to-local';
export const S3_TO_S3 = 's3-to-s3';

/** Local tree → S3 prefix, with objects already under (and beside) the target prefix. */
export interface UploadCase {
  readonly direction: typeof LOCAL_TO_S3;
  readonly tree: TreeSpec;
  readonly targetPrefix: string;
  /** Objects under the target prefix before the run (keys relative to it). */
  readonly existing: readonly ObjectSpec[];
  /** Objects outside the target prefix (full keys): must never change. */
  readonly outside: readonly ObjectSpec[];
  readonly options: OptionSpec;
  /** Add one file above the multipart threshold. */
  readonly big: boolean;
}

/** S3 prefix → local directory holding files, links to outside the destination, odd names. */
export interface DownloadCase {
  readonly direction: typeof S3_TO_LOCAL;
  readonly sourcePrefix: string;
  /** Objects under the source prefix (relative keys). */
  readonly objects: readonly ObjectSpec[];
  /** The destination before the run (links point outside it). */
  readonly dest: TreeSpec;
  readonly options: OptionSpec;
  readonly big: boolean;
}

/** S3 prefix → S3 prefix, in one bucket (prefixes may contain each other) or two. */
export interface CopyCase {
  readonly direction: typeof S3_TO_S3;
  readonly twoBuckets: boolean;
  readonly sourcePrefix: string;
  readonly targetPrefix: string;
  readonly sourceObjects: readonly ObjectSpec[];
  readonly targetObjects: readonly ObjectSpec[];
  /** Objects elsewhere in the target bucket (full keys). */
  readonly outside: readonly ObjectSpec[];
  readonly options: OptionSpec;
  readonly big: boolean;
}

export type SyncCase = UploadCase | DownloadCase | CopyCase;

// ---------------------------------------------------------------------------------------------

const PLAIN_NAMES = ['a', 'b', 'sub', 'x.txt', 'data.bin'];
const ODD_NAMES = [
  'with space.txt',
  'plus+sign',
  'percent%20.txt',
  'hash#tag',
  'what?',
  'emoji-😀',
  'caf\u00e9',
  'cafe\u0301',
  '.hidden',
  '..dots',
  'back\\slash',
  '[x]',
  '!bang',
  'tab\tname',
];
/** Names that are not valid UTF-8: a stray 0xff, a broken sequence, a lone surrogate, a lone continuation byte. */
const INVALID_NAMES: readonly (readonly number[])[] = [
  [0x61, 0xff, 0x62],
  [0xc3, 0x28],
  [0xed, 0xa0, 0x80],
  [0x80],
];
/** Names of the links put into a local destination; S3 keys use them too, so they collide. */
export const DEST_LINK_NAMES = ['ln', 'lf'];
/** Files of the outside directory a destination link points to; keys use them too. */
export const OUTSIDE_DIR_FILES = ['o1', 'o2'];

const validName = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...PLAIN_NAMES) }, { weight: 2, arbitrary: fc.constantFrom(...ODD_NAMES) });
const anyName: fc.Arbitrary<Name> = fc.oneof(
  { weight: 10, arbitrary: validName },
  { weight: 1, arbitrary: fc.constantFrom(...INVALID_NAMES).map((bytes) => ({ bytes })) },
);

/** Mostly tiny, sometimes empty, sometimes a few KiB. */
const size = fc.oneof({ weight: 2, arbitrary: fc.constant(0) }, { weight: 5, arbitrary: fc.integer({ min: 1, max: 64 }) }, { weight: 2, arbitrary: fc.integer({ min: 65, max: 4096 }) });
const seed = fc.integer({ min: 0, max: 1000 });

function path(name: fc.Arbitrary<Name>): fc.Arbitrary<Name[]> {
  return fc.array(name, { minLength: 1, maxLength: 3 });
}

const linkTarget: fc.Arbitrary<LinkTarget> = fc.oneof(
  fc.constantFrom<LinkTarget>('outside-file', 'outside-dir', 'broken', 'root'),
  fc.record({ file: fc.nat({ max: 20 }) }),
);

/** A local source tree: odd and (unless `validOnly`) invalid names, empty directories, links of every kind. */
export function sourceTree(validOnly = false): fc.Arbitrary<TreeSpec> {
  const name = validOnly ? validName : anyName;
  return fc.record({
    files: fc.array(fc.record({ path: path(name), size, seed }), { maxLength: 12 }),
    dirs: fc.array(path(name), { maxLength: 2 }),
    links: fc.array(fc.record({ path: path(validName), to: linkTarget }), { maxLength: 2 }),
  });
}

/** A local destination: files (some under the names of S3 keys), links pointing outside it. */
export const destinationTree: fc.Arbitrary<TreeSpec> = fc.record({
  files: fc.array(fc.record({ path: path(anyName), size, seed }), { maxLength: 6 }),
  dirs: fc.array(path(validName), { maxLength: 1 }),
  links: fc.array(
    fc.record({
      path: fc.oneof(
        fc.constantFrom(...DEST_LINK_NAMES).map((name) => [name]),
        fc.tuple(fc.constantFrom(...PLAIN_NAMES), fc.constantFrom(...DEST_LINK_NAMES)).map((pair) => [...pair]),
      ),
      to: fc.constantFrom<LinkTarget>('outside-file', 'outside-dir'),
    }),
    { maxLength: 2 },
  ),
});

/** A key segment: names, the link names of a destination and the files behind them, and (rarely) unsafe segments. */
const keySegment = fc.oneof(
  { weight: 12, arbitrary: validName },
  { weight: 3, arbitrary: fc.constantFrom(...DEST_LINK_NAMES, ...OUTSIDE_DIR_FILES) },
  { weight: 1, arbitrary: fc.constantFrom('', '.', '..') },
);

/** An S3 key relative to a prefix: `a/b`, odd names, and sometimes `a/../b`, `a//b` or a directory marker `d/`. */
export const relativeKey: fc.Arbitrary<string> = fc
  .tuple(fc.array(keySegment, { minLength: 1, maxLength: 3 }), fc.oneof({ weight: 12, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }))
  .map(([segments, marker]) => segments.join('/') + (marker ? '/' : ''))
  .filter((key) => key !== '' && key !== '/' && !key.startsWith('/'));

export function objects(maxLength: number): fc.Arbitrary<ObjectSpec[]> {
  return fc.array(fc.record({ key: relativeKey, size, seed }), { maxLength });
}

/** Ignore patterns (gitignore syntax) and rules (fnmatch) drawn from the names the trees use. */
const ignorePattern = fc.oneof(
  fc.constantFrom(...PLAIN_NAMES, ...ODD_NAMES),
  fc.constantFrom('*.txt', 'sub/', '**/a', '.*', '*.bin', 'ln', 'o1'),
);
const rule: fc.Arbitrary<FilterRule> = fc.record({
  type: fc.constantFrom<'include' | 'exclude'>('exclude', 'include'),
  pattern: fc.oneof(
    fc.constantFrom(...PLAIN_NAMES, ...ODD_NAMES).map((name) => `*${name}*`),
    fc.constantFrom('*.txt', 'sub/*', '*', 'a', '*o1'),
  ),
});

// deleteExcluded without delete is a ConfigError: about one case in twenty, which checks that
// refusals are clean. Options shrink towards no filters and no deleteExcluded.
export const optionSpec: fc.Arbitrary<OptionSpec> = fc.record({
  delete: fc.boolean(),
  deleteExcluded: fc.integer({ min: 0, max: 9 }).map((draw) => draw === 9),
  compare: fc.constantFrom<CompareMode>('size-mtime', 'size-only', 'exact-timestamps', 'checksum'),
  ignorePatterns: fc.option(fc.array(ignorePattern, { minLength: 1, maxLength: 2 }), { freq: 2, nil: [] as string[] }),
  rules: fc.option(fc.array(rule, { minLength: 1, maxLength: 2 }), { freq: 2, nil: [] as FilterRule[] }),
  state: fc.constantFrom<OptionSpec['state']>('none', 'memory', 'json'),
  concurrency: fc.integer({ min: 1, max: 4 }),
});

const targetPrefix = fc.constantFrom('', 'tp', 'tp/nested');
/** Full keys beside a target prefix `tp/`: the bare prefix, a sibling sharing its first letters, elsewhere. */
const outsideKey = fc.constantFrom('tp', 'tp0/x', 'tpx', 'other/a', 'tp/nestedx', 'tp/nested', 'q', 'q/subx', 'p', 'p0');

export function uploadCase(options: CaseOptions): fc.Arbitrary<UploadCase> {
  return fc.record({
    direction: fc.constant(LOCAL_TO_S3),
    tree: sourceTree(options.focused),
    targetPrefix,
    existing: objects(5),
    outside: fc.array(fc.record({ key: outsideKey, size, seed }), { maxLength: 3 }),
    options: optionSpec,
    big: options.big,
  });
}

export function downloadCase(options: CaseOptions): fc.Arbitrary<DownloadCase> {
  return fc.record({
    direction: fc.constant(S3_TO_LOCAL),
    sourcePrefix: fc.constantFrom('', 'src', 'src/deep'),
    objects: objects(12),
    dest: destinationTree,
    options: optionSpec,
    big: options.big,
  });
}

/** What a case generator draws. */
export interface CaseOptions {
  /** Whether the case has a file above the multipart threshold. */
  readonly big: fc.Arbitrary<boolean>;
  /**
   * Leave out the inputs of the broad properties (names that are not UTF-8, prefixes inside
   * each other), so a property about something else is not stopped by them first.
   * @defaultValue `false`
   */
  readonly focused?: boolean;
}

/**
 * Pairs of prefixes in one bucket, each containing the other or equal among them
 * (`q/sub → q`, `p → p/sub`, `p → p`, whole bucket), and disjoint ones.
 */
const SAME_BUCKET_PREFIXES: readonly (readonly [string, string])[] = [
  ['q/sub', 'q'],
  ['p', 'p/sub'],
  ['p', 'p'],
  ['', 'x'],
  ['x', ''],
  ['a', 'b'],
  ['p', 'p0'],
];

const DISJOINT_PREFIXES = SAME_BUCKET_PREFIXES.slice(-2);

/** Drops keys with `.` or `..` segments (with ignore patterns they stop a run before anything else is seen). */
function withoutDotSegments(specs: ObjectSpec[]): ObjectSpec[] {
  return specs.filter((spec) => !spec.key.split('/').some((segment) => segment === '.' || segment === '..'));
}

export function copyCase(options: CaseOptions): fc.Arbitrary<CopyCase> {
  return fc
    .record({
      twoBuckets: fc.boolean(),
      samePrefixes: options.focused === true ? fc.constantFrom(...DISJOINT_PREFIXES) : fc.constantFrom(...SAME_BUCKET_PREFIXES),
      otherPrefixes: fc.tuple(fc.constantFrom('', 'p', 'q/sub'), fc.constantFrom('', 'p', 'q/sub')),
      sourceObjects: options.focused === true ? objects(8).map(withoutDotSegments) : objects(8),
      targetObjects: options.focused === true ? objects(5).map(withoutDotSegments) : objects(5),
      outside: fc.array(fc.record({ key: outsideKey, size, seed }), { maxLength: 3 }),
      options: optionSpec,
      big: options.big,
    })
    .map(({ twoBuckets, samePrefixes, otherPrefixes, ...rest }) => {
      const [sourcePrefix, targetPrefix] = twoBuckets ? otherPrefixes : samePrefixes;
      return { direction: S3_TO_S3, twoBuckets, sourcePrefix, targetPrefix, ...rest };
    });
}

const OPERATIONS = ['*', 'PutObject', 'UploadPart', 'CreateMultipartUpload', 'CompleteMultipartUpload', 'GetObject', 'ListObjectsV2', 'DeleteObjects', 'DeleteObject', 'HeadObject'];

const faultRule: fc.Arbitrary<FaultRuleSpec> = fc.record({
  operation: fc.constantFrom(...OPERATIONS),
  kind: fc.constantFrom<FaultKind>('status-500', 'status-503', 'drop-response', 'cut-request-body', 'corrupt-response', 'corrupt-request', 'hang'),
  percent: fc.integer({ min: 10, max: 100 }),
  times: fc.integer({ min: 1, max: 4 }),
});

/**
 * A fault schedule. Requests held forever (`hang`) only come with an abort, which ends them
 * (s3kit has no request timeout to end them otherwise).
 */
export const faultSpec: fc.Arbitrary<FaultSpec> = fc
  .record({
    rules: fc.array(faultRule, { minLength: 0, maxLength: 3 }),
    abortAfterMs: fc.option(fc.integer({ min: 0, max: 400 }), { nil: undefined }),
    seed: fc.integer({ min: 1, max: 1_000_000 }),
  })
  .map((spec) => (spec.abortAfterMs === undefined ? { ...spec, rules: spec.rules.filter((rule) => rule.kind !== 'hang') } : spec));
