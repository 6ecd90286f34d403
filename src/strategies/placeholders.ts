import { format as formatDate } from 'date-fns/format';
import { ConfigError } from '../core/errors.js';

/** The placeholders a pattern may use. */
export const PLACEHOLDERS = ['{year}', '{month}', '{day}', '{date:FORMAT}', '{name}'] as const;

/**
 * Renders `{year}`, `{month}`, `{day}` (zero-padded), `{date:FORMAT}` (date-fns tokens, e.g.
 * `yyyy-MM-dd`) and `{name}` (the job's name). An unknown placeholder is a {@link ConfigError}
 * naming `field`, so a typo never silently becomes part of a path.
 */
export function renderPattern(pattern: string, values: { readonly date: Date; readonly name: string }, field: string): string {
  return pattern.replace(/\{([^{}]*)\}/g, (_whole, inner: string) => {
    if (inner === 'year') return formatDate(values.date, 'yyyy');
    if (inner === 'month') return formatDate(values.date, 'MM');
    if (inner === 'day') return formatDate(values.date, 'dd');
    if (inner === 'name') return values.name;
    if (inner.startsWith('date:') && inner.length > 'date:'.length) return formatDateOrThrow(values.date, inner.slice(5), field);
    throw new ConfigError(field, `${field}: unknown placeholder {${inner}} in ${JSON.stringify(pattern)}; use ${PLACEHOLDERS.join(', ')}.`);
  });
}

/** Checks a pattern's placeholders without a date at hand (config validation). */
export function checkPattern(pattern: string, field: string): void {
  renderPattern(pattern, { date: new Date(2000, 0, 1), name: 'job' }, field);
}

/** Formats a date with date-fns tokens, turning a bad format into a {@link ConfigError}. */
export function formatDateOrThrow(date: Date, format: string, field: string): string {
  try {
    return formatDate(date, format);
  } catch (error) {
    throw new ConfigError(field, `${field}: ${JSON.stringify(format)} is not a date format (${(error as Error).message}); use tokens such as yyyy, MM, dd.`);
  }
}

/**
 * Why a rendered subpath would leave the directory or prefix it is appended to (a `..` or `.`
 * segment, split on `/` and `\`), or `undefined` when it stays inside. A sentence without the
 * field, so config validation and runs can each name the field their own way.
 */
export function dotSegmentProblem(pattern: string, rendered: string): string | undefined {
  const segment = rendered.split(/[\\/]/).find((part) => part === '..' || part === '.');
  if (segment === undefined) return undefined;
  return (
    `${JSON.stringify(pattern)} renders to ${JSON.stringify(rendered)} which has a "${segment}" segment: ` +
    `the subpath must stay inside the job's source and target; remove the "${segment}" (and any quoted '${segment}' in a date format).`
  );
}

/** Throws a {@link ConfigError} naming `field` when a rendered subpath has a `..` or `.` segment. */
export function assertInside(pattern: string, rendered: string, field: string): string {
  const problem = dotSegmentProblem(pattern, rendered);
  if (problem !== undefined) throw new ConfigError(field, `${field}: ${problem}`);
  return rendered;
}
