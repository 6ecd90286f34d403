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
