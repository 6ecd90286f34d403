import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import type { SyncWarning } from '../core/events.js';
import { compileFnmatch, literalPrefix } from './fnmatch.js';

/**
 * An aws-cli style filter rule. Rules apply in order and the last matching one wins; a key no
 * rule matches is included. Patterns match the whole key relative to the location root, and `*`
 * matches `/` too (Python `fnmatch`, as aws-cli).
 * @public
 */
export interface FilterRule {
  /** Whether a match includes or excludes the key. */
  readonly type: 'include' | 'exclude';
  /** An fnmatch pattern: `*`, `?`, `[seq]`, `[!seq]`. */
  readonly pattern: string;
}

/**
 * The filter options shared by every sync.
 * @public
 */
export interface FilterOptions {
  /**
   * Patterns in `.gitignore` syntax, applied below any ignore file of the source tree.
   * @defaultValue `[]`
   */
  readonly ignorePatterns?: readonly string[];
  /**
   * Name of the ignore files to read from each directory of a local source (e.g. `.gitignore`),
   * with git's semantics: a file's patterns apply below its directory, deeper files win.
   * @defaultValue `undefined` (none read)
   */
  readonly ignoreFileName?: string;
  /**
   * aws-cli `--exclude` / `--include` rules, applied after the gitignore rules.
   * @defaultValue `[]`
   */
  readonly rules?: readonly FilterRule[];
  /**
   * Match gitignore patterns (ignore files and `ignorePatterns`) regardless of case, like git
   * with `core.ignorecase = true`. Git matches case-sensitively unless told otherwise, and so
   * does s3kit: `*.TXT` does not exclude `a.txt`.
   * @defaultValue `false`
   */
  readonly ignoreCase?: boolean;
}

interface RuleSet {
  /** Directory the patterns belong to: `''` for the root, else ending in `/`. */
  readonly dir: string;
  readonly ignore: Ignore;
}

/** Upper bound of cached per-directory decisions and ignore files; keys arrive sorted, so few are live. */
const CACHE_LIMIT = 4096;

/**
 * Decides whether a key is excluded, for both sides of a sync: the local walk asks it to prune
 * directories and drop files, the planner asks it which target keys are excluded (those are
 * never deleted unless `deleteExcluded`). Nested ignore files are read lazily from the local
 * source root and cached, so a target key is judged by the same rules as the source file.
 * @public
 */
export class KeyFilter {
  readonly #localRoot: string | undefined;
  readonly #ignoreFileName: string | undefined;
  readonly #base: Ignore | undefined;
  readonly #rules: readonly { readonly include: boolean; readonly regexp: RegExp; readonly pattern: string }[];
  readonly #ignoreCase: boolean;
  readonly #onWarning: ((warning: SyncWarning) => void) | undefined;
  readonly #ruleSets = new Map<string, Promise<RuleSet | undefined>>();
  readonly #dirDecisions = new Map<string, Promise<boolean>>();

  /**
   * @param options - the filters, the local root that ignore files are read from, and where to
   * report an ignore file that is not read (a symbolic link).
   */
  constructor(options: FilterOptions & { readonly localRoot?: string; readonly onWarning?: (warning: SyncWarning) => void }) {
    this.#localRoot = options.localRoot;
    this.#ignoreFileName = options.localRoot === undefined ? undefined : options.ignoreFileName;
    this.#ignoreCase = options.ignoreCase ?? false;
    this.#onWarning = options.onWarning;
    const patterns = options.ignorePatterns ?? [];
    this.#base = patterns.length > 0 ? ignore({ ignorecase: this.#ignoreCase }).add(patterns as string[]) : undefined;
    this.#rules = (options.rules ?? []).map((rule) => ({
      include: rule.type === 'include',
      regexp: compileFnmatch(rule.pattern),
      pattern: rule.pattern,
    }));
  }

  /** True when this filter can exclude anything at all (lets callers skip the work). */
  get isActive(): boolean {
    return this.#base !== undefined || this.#ignoreFileName !== undefined || this.#rules.length > 0;
  }

  /**
   * Whether a directory (key ending in `/`) is excluded by the gitignore rules, which means
   * nothing below it can be included again. aws-cli rules never prune: a later `--include`
   * may bring back a file below an excluded directory.
   */
  async excludesDirectory(dirKey: string): Promise<boolean> {
    if (this.#base === undefined && this.#ignoreFileName === undefined) return false;
    return this.#cached(this.#dirDecisions, dirKey, async () => {
      const parent = parentDir(dirKey);
      if (parent !== '' && (await this.excludesDirectory(parent))) return true;
      return this.#ignoredByGitRules(dirKey);
    });
  }

  /**
   * Whether every key below `dirKey` (ending in `/`) is certainly excluded, judged without
   * reading ignore files (false whenever ignore files are in play): a gitignore pattern excludes
   * the directory or one of its parents, or an aws-cli exclude rule of the form `prefix*` covers
   * it and no later include rule could match a key below it. Used to allow overlapping source
   * and target prefixes only when the overlap is filtered out (rclone's rule).
   */
  excludesSubtree(dirKey: string): boolean {
    if (this.#ignoreFileName !== undefined) return false;
    if (this.#base !== undefined) {
      for (let dir = dirKey; dir !== ''; dir = parentDir(dir)) if (isGitPath(dir) && this.#base.ignores(dir)) return true;
    }
    for (let i = this.#rules.length - 1; i >= 0; i--) {
      const rule = this.#rules[i]!;
      const prefix = literalPrefix(rule.pattern);
      const couldMatchBelow = prefix.startsWith(dirKey) || dirKey.startsWith(prefix);
      if (rule.include) {
        if (couldMatchBelow) return false;
      } else if (rule.pattern === `${prefix}*` && dirKey.startsWith(prefix)) return true;
    }
    return false;
  }

  /**
   * Whether a file key is excluded.
   * @param options - `parentsChecked`: the caller (the walk) vouches that no parent directory
   * is excluded, so they are not looked at again.
   */
  async excludesFile(key: string, options: { readonly parentsChecked?: boolean } = {}): Promise<boolean> {
    if (this.#base !== undefined || this.#ignoreFileName !== undefined) {
      if (options.parentsChecked !== true) {
        const parent = parentDir(key);
        if (parent !== '' && (await this.excludesDirectory(parent))) return true;
      }
      if (await this.#ignoredByGitRules(key)) return true;
    }
    return this.#excludedByRules(key);
  }

  #excludedByRules(key: string): boolean {
    let excluded = false;
    for (const rule of this.#rules) if (rule.regexp.test(key)) excluded = !rule.include;
    return excluded;
  }

  /** Deepest rule set first, the first to decide wins; the option patterns come last. */
  async #ignoredByGitRules(path: string): Promise<boolean> {
    // S3 keys may start with `/`, `./` or `../`, which no git path does: gitignore patterns say
    // nothing about them (and `ignore` throws on them); the aws-cli rules still apply.
    if (!isGitPath(path)) return false;
    if (this.#ignoreFileName !== undefined) {
      const dirs: string[] = [];
      for (let dir = parentDir(path); ; dir = parentDir(dir)) {
        dirs.push(dir);
        if (dir === '') break;
      }
      for (const dir of dirs) {
        const set = await this.#ruleSet(dir);
        if (set === undefined) continue;
        const result = set.ignore.test(path.slice(dir.length));
        if (result.ignored) return true;
        if (result.unignored) return false;
      }
    }
    return this.#base?.ignores(path) ?? false;
  }

  #ruleSet(dir: string): Promise<RuleSet | undefined> {
    return this.#cached(this.#ruleSets, dir, async () => {
      const file = join(this.#localRoot!, dir, this.#ignoreFileName!);
      let text: string;
      try {
        // git does not read an in-tree ignore file that is a symbolic link; neither do we.
        if ((await lstat(file)).isSymbolicLink()) {
          this.#onWarning?.({
            code: 'ignore-file-symlink',
            path: file,
            message: `${file}: ignore file is a symbolic link, which git does not read; not read (replace it with a regular file)`,
            incompleteListing: false,
          });
          return undefined;
        }
        text = await readFile(file, 'utf8');
      } catch {
        return undefined; // no ignore file in this directory (or the directory does not exist)
      }
      return { dir, ignore: ignore({ ignorecase: this.#ignoreCase }).add(text) };
    });
  }

  #cached<T>(cache: Map<string, Promise<T>>, key: string, compute: () => Promise<T>): Promise<T> {
    let value = cache.get(key);
    if (value === undefined) {
      if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
      value = compute();
      cache.set(key, value);
    }
    return value;
  }
}

/** Whether a key is a path git could hold (relative, not empty, no leading `.`/`..` segment). */
function isGitPath(key: string): boolean {
  return ignore.isPathValid(key);
}

/** `a/b/c.txt` → `a/b/`, `a/b/` → `a/`, `a` → `''`. */
function parentDir(key: string): string {
  const end = key.endsWith('/') ? key.length - 1 : key.length;
  // end 0 is the key "/" (a leading slash, as S3 allows): its parent is the root. lastIndexOf
  // with a negative start would find that slash again and loop.
  const slash = end <= 0 ? -1 : key.lastIndexOf('/', end - 1);
  return slash === -1 ? '' : key.slice(0, slash + 1);
}
