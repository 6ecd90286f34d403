import { readFile } from 'node:fs/promises';
import { InvalidArgumentError } from 'commander';
import { ConfigError, escapeText, parseLocation } from 's3kit';
import { formatProblem, type ValidationProblem } from 's3kit/admin';
import type { CliStreams } from './output/reporter.js';

/*
 * Flag values and output shared by the administration commands (bucket, templates, lifecycle,
 * policy).
 */

/** The bucket of `s3://bucket` (a trailing slash allowed); a usage error for a prefix or another location. */
export function bucketOf(url: string): string {
  const location = parseLocation(url, 's3-url');
  if (location.kind !== 's3') throw new ConfigError('s3-url', `${url} is not an s3://bucket URL.`);
  if (location.prefix !== '') throw new ConfigError('s3-url', `${url} names a prefix; bucket settings apply to the whole bucket: give s3://${location.bucket}.`);
  return location.bucket;
}

/** `--abort-incomplete-uploads 7d` (or `7`): whole days, at least 1. */
export function parseDays(value: string): number {
  const match = /^\s*(\d+)\s*d?\s*$/.exec(value);
  const days = match === null ? NaN : Number(match[1]);
  if (!Number.isSafeInteger(days) || days < 1) throw new InvalidArgumentError(`"${value}" is not a number of days: give whole days, at least 1, e.g. 7d or 7.`);
  return days;
}

/** `--set key=value`, repeatable: collects into a record; a key given twice is refused. */
export function collectSet(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const equals = value.indexOf('=');
  if (equals < 1) throw new InvalidArgumentError(`--set ${JSON.stringify(value)} is not key=value (e.g. --set days=30).`);
  const key = value.slice(0, equals).trim();
  if (Object.hasOwn(previous, key)) throw new InvalidArgumentError(`--set ${key} is given twice.`);
  return { ...previous, [key]: value.slice(equals + 1) };
}

/** A JSON document from a file; a ConfigError naming the file for one that cannot be read or parsed. */
export async function readJsonFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError('file', `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)}).`, { cause: error });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ConfigError('file', `${file} is not valid JSON: ${(error as Error).message}.`, { cause: error });
  }
}

/**
 * Prints every problem, errors and warnings, one per line on stderr (path, value, message, fix).
 * Returns the number of errors.
 */
export function printProblems(problems: readonly ValidationProblem[], streams: CliStreams, source: string): number {
  for (const problem of problems) streams.stderr.write(`${escapeText(source)}: ${escapeText(formatProblem(problem))}\n`);
  return problems.filter((problem) => problem.severity === 'error').length;
}

/** Pretty JSON with a final newline, as `show` commands print documents. */
export function jsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
