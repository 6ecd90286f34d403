import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { StrategyResolver } from '../strategies/strategy-resolver.js';
import { configSchema, type JobConfig, type ParsedConfig } from './config-schema.js';

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
 * Reads, interpolates (`${VAR}` from `env`; a missing variable is an error) and validates a
 * YAML config. Every problem is a {@link ConfigError} whose message names the job, the field
 * path and what is allowed; nothing is returned from an invalid file.
 * @public
 */
export async function loadConfig(path: string, options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError('config', `cannot read the config file ${path} (${code ?? String(error)})${code === 'ENOENT' ? ': create it, or pass --config' : ''}.`, {
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
  const document = parseDocument(text, { prettyErrors: true });
  if (document.errors.length > 0) {
    throw new ConfigError('config', `${path} is not valid YAML: ${document.errors[0]!.message}`);
  }
  const parsed = document.toJS() as unknown;
  const raw = interpolate(options.withoutConnections === true ? withoutConnections(parsed) : parsed, options.env ?? {}, []);
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
    jobs: config.jobs.map((job) => ({ ...job, source: localPathFrom(base, job.source), target: localPathFrom(base, job.target) })),
  };
}

/** Relative local paths in a config are relative to the config file, not the working directory. */
function localPathFrom(base: string, location: string): string {
  return /^[a-z][a-z0-9+.-]*:/i.test(location) && !/^[a-z]:[\\/]/i.test(location) ? location : resolve(base, location);
}

/** Replaces `${NAME}` in every string; `$${` stays a literal `${`. */
function interpolate(value: unknown, env: Readonly<Record<string, string | undefined>>, path: (string | number)[]): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$?\$\{([^}]*)\}/g, (whole, name: string) => {
      if (whole.startsWith('$$')) return whole.slice(1);
      const found = env[name];
      if (found === undefined) {
        throw new ConfigError(path.join('.'), `${where(path, undefined)}: the environment variable ${name} is not set (referenced as \${${name}}).`);
      }
      return found;
    });
  }
  if (Array.isArray(value)) return value.map((item, index) => interpolate(item, env, [...path, index]));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolate(item, env, [...path, key])]));
  }
  return value;
}

function describeIssues(path: string, issues: readonly z.core.$ZodIssue[], raw: unknown, more: readonly string[] = []): string {
  const all = [...issues.map((issue) => `${where(issue.path, raw)}: ${issue.message}`), ...more];
  const lines = all.slice(0, 10).map((line) => `  - ${line}`);
  if (all.length > 10) lines.push(`  - … and ${all.length - 10} more`);
  return `${path} is invalid:\n${lines.join('\n')}`;
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
    try {
      const { strategy, settings } = strategies.parse(job.strategy as { type: string } & Record<string, unknown>);
      if (job.delete === true && strategy.resolve(settings, { name: job.name, source: '/', target: '/', date: new Date() }).modifiedAfter !== undefined) {
        problems.push({ field: at('delete'), message: `${at('delete')}: a ${strategy.type} job selects files by date and cannot delete (keys outside the range would go).` });
      }
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
