import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { createRedactor, isSecretName, secretValuesOf, urlPasswordsIn } from '../core/redact.js';
import { parseLocation } from '../core/location.js';
import { StrategyResolver } from '../strategies/strategy-resolver.js';
import { assertNoOverlap } from '../syncer/overlap.js';
import { jobFilterOptions } from './job-filters.js';
import { configSchema, type JobConfig, type ParsedConfig } from './config-schema.js';
import { cannotRead } from '../core/cannot-read.js';

/**
 * A validated multi-job config, with paths resolved against the config file's directory.
 * @public
 */
export interface LoadedConfig {
  /** The config file. */
  readonly path: string;
  /** Absolute log directory. */
  readonly logDirectory: string;
  /** Months of monthly log files kept. */
  readonly logRetentionMonths: number;
  /** Absolute path of the JSON state file. */
  readonly stateFile: string;
  /** The `defaults:` block, validated. */
  readonly defaults: ParsedConfig['defaults'];
  /** Every job, validated, with local paths made absolute. */
  readonly jobs: readonly JobConfig[];
  /**
   * The credential values this config was loaded with, to be masked wherever s3kit writes:
   * the environment's secret variables (`AWS_SECRET_ACCESS_KEY`, `*_TOKEN`, `*_PASSWORD`…), every
   * value under a field named like a credential (`sessionToken`, `secretAccessKey`…) and the
   * password of every URL. Pass them to {@link createRedactor}.
   */
  readonly secrets: readonly string[];
}

/**
 * Options of {@link loadConfig} and {@link parseConfig}.
 * @public
 */
export interface LoadConfigOptions {
  /** Where `${VAR}` placeholders are looked up. @defaultValue `{}` */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The strategies jobs may name. @defaultValue the built-in ones */
  readonly strategies?: StrategyResolver;
  /**
   * Leave out every `connection:` block (of `defaults` and of each job), so that variables only
   * connections use (`${AWS_REGION}`) need not be set: for commands that never connect, such
   * as `status` and `clear-logs`. The result has no connections.
   * @defaultValue `false`
   */
  readonly withoutConnections?: boolean;
}

/** The parsed YAML without its `connection:` blocks. */
function withoutConnections(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null) return raw;
  const { defaults, jobs, ...rest } = raw as { defaults?: unknown; jobs?: unknown };
  const strip = (block: unknown): unknown => {
    if (typeof block !== 'object' || block === null || Array.isArray(block)) return block;
    const { connection: _connection, ...others } = block as Record<string, unknown>;
    return others;
  };
  return {
    ...rest,
    ...(defaults === undefined ? {} : { defaults: strip(defaults) }),
    ...(jobs === undefined ? {} : { jobs: Array.isArray(jobs) ? jobs.map(strip) : jobs }),
  };
}

/**
 * Reads, interpolates (`${VAR}` from `env`; an unset or empty variable is an error unless a
 * default is given as `${VAR:-default}` or `${VAR-default}`; `$$` is a literal `$`) and validates a
 * YAML config. Every problem is a `ConfigError` (from `s3kit`) whose message names the job, the field
 * path and what is allowed; nothing is returned from an invalid file.
 * @public
 */
export async function loadConfig(path: string, options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError('config', `${cannotRead(`the config file ${path}`, error)}${code === 'ENOENT' ? ': create it, or pass --config' : ''}.`, {
      cause: error,
    });
  }
  return parseConfig(text, path, options);
}

/**
 * Like {@link loadConfig}, from the file's text.
 * @public
 */
export function parseConfig(text: string, path: string, options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? {};
  const document = parseDocument(text, { prettyErrors: true });
  if (document.errors.length > 0) {
    throw new ConfigError('config', createRedactor(secretValuesOf(env))(`${path} is not valid YAML: ${document.errors[0]!.message}`));
  }
  let parsed: unknown;
  try {
    // yaml refuses documents whose aliases expand without bound (a "billion laughs" file).
    parsed = document.toJS({ maxAliasCount: 100 }) as unknown;
  } catch (error) {
    throw new ConfigError('config', `${path} cannot be read as a config: ${(error as Error).message}; write the values out instead of through so many aliases.`, {
      cause: error,
    });
  }
  const uninterpolated = options.withoutConnections === true ? withoutConnections(parsed) : parsed;
  const raw = interpolate(uninterpolated, env, [], uninterpolated);
  const secrets = [...new Set([...secretValuesOf(env), ...secretsIn(raw, false)])];
  try {
    const result = configSchema.safeParse(raw);
    if (!result.success) {
      // A typo in a strategy type is a problem zod cannot see; list it with the others.
      const typeProblems = strategyTypeProblems(raw, options.strategies ?? new StrategyResolver());
      throw new ConfigError(fieldOf(result.error.issues[0]!.path, raw), describeIssues(path, result.error.issues, raw, typeProblems));
    }
    const config = result.data;
    const problems = semanticProblems(config, options.strategies ?? new StrategyResolver());
    if (problems.length > 0) throw new ConfigError(problems[0]!.field, `${path} is invalid:\n${problems.map((p) => `  - ${p.message}`).join('\n')}`);
    const base = dirname(resolve(path));
    return {
      path: resolve(path),
      logDirectory: resolve(base, config.defaults.logDirectory),
      logRetentionMonths: config.defaults.logRetentionMonths,
      stateFile: resolve(base, config.defaults.stateFile),
      defaults: config.defaults,
      jobs: config.jobs.map((job) => ({
        ...job,
        source: localPathFrom(base, job.source),
        target: localPathFrom(base, job.target),
        backup: job.backup === undefined ? undefined : localPathFrom(base, job.backup),
      })),
      secrets,
    };
  } catch (error) {
    // Messages may quote a path or a pattern the environment filled in.
    if (error instanceof ConfigError) throw new ConfigError(error.field, createRedactor(secrets)(error.message), { cause: error.cause });
    throw error;
  }
}

/**
 * The credentials a config holds: every string under a field named like one (`sessionToken`,
 * `password`…, see isSecretName) and the password of every URL.
 */
function secretsIn(value: unknown, underSecretName: boolean): string[] {
  if (typeof value === 'string') return [...(underSecretName ? [value] : []), ...urlPasswordsIn(value)];
  if (Array.isArray(value)) return value.flatMap((item) => secretsIn(item, underSecretName));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, item]) => secretsIn(item, underSecretName || isSecretName(key)));
  }
  return [];
}

/** Relative local paths in a config are relative to the config file, not the working directory. */
function localPathFrom(base: string, location: string): string {
  return /^[a-z][a-z0-9+.-]*:/i.test(location) && !/^[a-z]:[\\/]/i.test(location) ? location : resolve(base, location);
}

/** `$$`, or a `${…}` reference; scanned left to right so `$$${X}` is `$` then X's value. */
const REFERENCE = /\$\$|\$\{([^}]*)\}/g;
/** `NAME`, `NAME:-default` or `NAME-default`, as in POSIX shells. */
const VARIABLE = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)(.*))?$/s;

/**
 * Replaces `${NAME}` in every string with the variable's value. An unset variable is an error,
 * and so is one that is set but empty (an empty `${PREFIX}` would widen `s3://b/${PREFIX}` to the
 * whole bucket); a default is given explicitly, as in shells: `${NAME:-default}` when unset or
 * empty, `${NAME-default}` when unset only. `$$` is a literal `$`.
 */
function interpolate(value: unknown, env: Readonly<Record<string, string | undefined>>, path: (string | number)[], document: unknown): unknown {
  if (typeof value === 'string') {
    return value.replace(REFERENCE, (whole, inner: string | undefined) => {
      if (inner === undefined) return '$';
      const at = where(path, document);
      const parts = VARIABLE.exec(inner);
      if (parts === null) {
        throw new ConfigError(at, `${at}: ${whole} is not a variable reference; write \${NAME}, \${NAME:-default} or \${NAME-default} (NAME: letters, digits and _), or $$ for a literal $.`);
      }
      const [, name, operator, fallback] = parts as unknown as [string, string, string | undefined, string | undefined];
      if (fallback?.includes('${') === true) {
        throw new ConfigError(at, `${at}: in ${whole}}, a default cannot contain another reference; write the default out in full.`);
      }
      const found = env[name];
      if (operator === ':-') return found === undefined || found === '' ? fallback! : found;
      if (operator === '-') return found ?? fallback!;
      if (found === undefined) {
        throw new ConfigError(at, `${at}: the environment variable ${name} is not set (referenced as \${${name}}); set it, or give a default with \${${name}:-default}.`);
      }
      if (found === '') {
        throw new ConfigError(
          at,
          `${at}: the environment variable ${name} is empty (referenced as \${${name}}); an empty value would silently change the path. ` +
            `Set it, or give a default with \${${name}:-default} (\${${name}-} allows empty on purpose).`,
        );
      }
      return found;
    });
  }
  if (Array.isArray(value)) return value.map((item, index) => interpolate(item, env, [...path, index], document));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolate(item, env, [...path, key], document)]));
  }
  return value;
}

/** A job's fields under the names other sync tools give them (rclone's and robocopy's destination, …). */
const JOB_FIELD_SYNONYMS: ReadonlyMap<string, string> = new Map([
  ['destination', 'target'],
  ['dest', 'target'],
  ['dst', 'target'],
  ['to', 'target'],
  ['src', 'source'],
  ['from', 'source'],
  ['excludes', 'exclude'],
  ['includes', 'include'],
]);

function describeIssues(path: string, issues: readonly z.core.$ZodIssue[], raw: unknown, more: readonly string[] = []): string {
  const all = [...issues.map((issue) => `${where(issue.path, raw)}: ${issue.message}${suggestion(issue)}`), ...more];
  const lines = all.slice(0, 10).map((line) => `  - ${line}`);
  if (all.length > 10) lines.push(`  - … and ${all.length - 10} more`);
  return `${path} is invalid:\n${lines.join('\n')}`;
}

/** ` (did you mean "target"?)` for a job field under another tool's name. */
function suggestion(issue: z.core.$ZodIssue): string {
  const isJob = issue.path.length === 2 && issue.path[0] === 'jobs';
  if (issue.code !== 'unrecognized_keys' || !isJob) return '';
  const meant = issue.keys.map((key) => JOB_FIELD_SYNONYMS.get(key)).filter((field) => field !== undefined);
  return meant.length === 0 ? '' : ` (did you mean ${meant.map((field) => `"${field}"`).join(', ')}?)`;
}

/** `job "camera" › strategy.format`, or the plain path outside a job. */
function where(path: readonly PropertyKey[], raw: unknown): string {
  if (path[0] === 'jobs' && typeof path[1] === 'number') {
    const name = (raw as { jobs?: { name?: unknown }[] } | undefined)?.jobs?.[path[1]]?.name;
    const job = typeof name === 'string' ? `job "${name}"` : `jobs[${path[1]}]`;
    const rest = path.slice(2).map(String).join('.');
    return rest === '' ? job : `${job} › ${rest}`;
  }
  return path.length === 0 ? '(top level)' : path.map(String).join('.');
}

function fieldOf(path: readonly PropertyKey[], raw: unknown): string {
  return where(path, raw);
}

/**
 * A delete is safe only if each date's source has a target of its own. When two dates read
 * different sources but write the same target (DateFolder with `appendToTarget: false`, a
 * CustomPattern whose source changes by month and target by year), each run would delete what
 * the runs for the other dates put there. Probed with dates that differ by a day, a month and a
 * year; returns the sentence to report, or undefined.
 */
function deletesOtherDates(
  job: JobConfig,
  type: string,
  settings: unknown,
  resolve: (date: Date) => { source: string; target: string },
): string | undefined {
  const base = new Date(2000, 0, 15);
  const first = resolve(base);
  for (const other of [new Date(2000, 0, 16), new Date(2000, 1, 15), new Date(2001, 0, 15)]) {
    const second = resolve(other);
    if (first.source === second.source || first.target !== second.target) continue;
    if (type === 'DateFolder' && (settings as { appendToTarget?: boolean }).appendToTarget === false) {
      return (
        `a DateFolder job with appendToTarget: false syncs every date's folder into the same target (${job.target}), ` +
        'so delete would remove the files of the other dates. Set appendToTarget: true (each date gets its own folder in the target), or remove delete.'
      );
    }
    return (
      `the source changes with the date (${first.source} → ${second.source}) but the target does not (${first.target}), ` +
      'so delete would remove the files of the other dates. Make the target change with the date as the source does, or remove delete.'
    );
  }
  return undefined;
}

/**
 * The syncer's overlap rule (one rule, kept in `syncer/overlap.ts`), applied to the job's paths
 * for a sample date: an S3 → S3 job within one bucket whose prefixes contain one another is
 * refused when the file is loaded, not on the night it runs.
 */
function overlapProblem(paths: { source: string; target: string }, filters: Parameters<typeof assertNoOverlap>[2]): string | undefined {
  try {
    assertNoOverlap(parseLocation(paths.source, 'source'), parseLocation(paths.target, 'target'), filters);
    return undefined;
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
}

/** Unknown strategy types in a config that failed validation for other reasons too. */
function strategyTypeProblems(raw: unknown, strategies: StrategyResolver): string[] {
  const jobs = (raw as { jobs?: unknown } | undefined)?.jobs;
  if (!Array.isArray(jobs)) return [];
  return jobs.flatMap((job: unknown, index) => {
    const type = (job as { strategy?: { type?: unknown } } | undefined)?.strategy?.type;
    if (typeof type !== 'string' || type === '') return [];
    try {
      strategies.get(type);
      return [];
    } catch (error) {
      return [`${where(['jobs', index, 'strategy', 'type'], raw)}: ${(error as Error).message}`];
    }
  });
}

/** Checks zod cannot express alone: unique names, strategy settings, the strategies' own rules. */
function semanticProblems(config: ParsedConfig, strategies: StrategyResolver): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  const seen = new Set<string>();
  config.jobs.forEach((job, index) => {
    const at = (field: string): string => `job "${job.name}" › ${field}`;
    if (seen.has(job.name)) problems.push({ field: at('name'), message: `${at('name')}: the name is used by another job; job names must be unique.` });
    seen.add(job.name);
    problems.push(...bisyncProblems(job).map((problem) => ({ field: at(problem.field), message: `${at(problem.field)}: ${problem.message}` })));
    try {
      const { strategy, settings } = strategies.parse(job.strategy as { type: string } & Record<string, unknown>);
      if (job.delete === true && strategy.resolve(settings, { name: job.name, source: '/', target: '/', date: new Date() }).modifiedAfter !== undefined) {
        problems.push({ field: at('delete'), message: `${at('delete')}: a ${strategy.type} job selects files by date and cannot delete (keys outside the range would go).` });
      } else if (job.delete === true) {
        const problem = deletesOtherDates(job, strategy.type, settings, (date) => strategy.resolve(settings, { name: job.name, source: job.source, target: job.target, date }));
        if (problem !== undefined) problems.push({ field: at('delete'), message: `${at('delete')}: ${problem}` });
      }
      const probe = strategy.resolve(settings, { name: job.name, source: job.source, target: job.target, date: new Date(2000, 0, 15) });
      const overlap = overlapProblem(probe, { ...jobFilterOptions(job, config.defaults), delete: job.delete, deleteExcluded: job.deleteExcluded });
      if (overlap !== undefined) problems.push({ field: at('target'), message: `${at('target')}: ${overlap}` });
    } catch (error) {
      if (error instanceof z.ZodError) {
        for (const issue of error.issues) {
          problems.push({ field: at(`strategy.${issue.path.join('.')}`), message: `${at(['strategy', ...issue.path].join('.'))}: ${issue.message}` });
        }
      } else problems.push({ field: at('strategy.type'), message: `${at('strategy.type')}: ${(error as Error).message}` });
    }
    void index;
  });
  return problems;
}

/**
 * A two-way job has no direction: what a one-way job says about its target (deletes, backups,
 * the compare mode) or picks from its source by date has no meaning there.
 */
function bisyncProblems(job: JobConfig): { field: string; message: string }[] {
  if (job.mode !== 'bisync') {
    return job.bisync === undefined ? [] : [{ field: 'bisync', message: 'a bisync: block needs mode: bisync.' }];
  }
  const problems: { field: string; message: string }[] = [];
  const oneWay = { delete: job.delete, deleteExcluded: job.deleteExcluded, backup: job.backup, backupSuffix: job.backupSuffix, compare: job.compare } as const;
  for (const [field, value] of Object.entries(oneWay)) {
    if (value !== undefined) problems.push({ field, message: `a bisync job propagates deletes and compares both ways by itself; remove ${field}.` });
  }
  if (job.strategy.type !== 'FullDirectory') problems.push({ field: 'strategy.type', message: `a bisync job syncs whole locations; use FullDirectory (or leave strategy out), not ${job.strategy.type}.` });
  if (job.filters?.ignoreFileName !== undefined) problems.push({ field: 'filters.ignoreFileName', message: 'not supported by bisync jobs; list the patterns in ignorePatterns or exclude.' });
  if (job.source.startsWith('manifest:')) problems.push({ field: 'source', message: 'a manifest cannot be one side of a bisync.' });
  return problems;
}
