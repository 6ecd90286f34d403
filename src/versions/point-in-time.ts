import { ConfigError } from '../index.js';

const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)$/i;

/**
 * Parses a point in time written in ISO 8601 with its zone: `2026-11-01T00:00Z`,
 * `2026-11-01T09:30:15.250+02:00`, `2026-11-01T09:30+0200`. Anything else — a date without a
 * time, a time without `Z` or an offset (whose zone would be a guess), an impossible date such
 * as February 30 — is a `ConfigError` naming `field`. Fractions of a second beyond
 * milliseconds are cut (S3 times have milliseconds).
 * @param field - the option the text came from, named in errors.
 * @public
 */
export function parsePointInTime(text: string, field = 'at'): Date {
  const match = ISO_8601.exec(text.trim());
  const refuse = (why: string): ConfigError =>
    new ConfigError(
      field,
      `${field} ${JSON.stringify(text)} is not a point in time: ${why}. Write it in ISO 8601 with its zone, e.g. 2026-11-01T00:00Z or 2026-11-01T09:30:00+02:00.`,
    );
  if (match === null) {
    return fail(refuse(/^\d{4}-\d{2}-\d{2}(T[\d:.]+)?$/.test(text.trim()) ? 'it has no zone (Z or an offset such as +02:00)' : 'it is not ISO 8601 date and time'));
  }
  const [, year, month, day, hour, minute, second = '0', fraction = '', zone] = match as unknown as string[];
  const numbers = [year, month, day, hour, minute, second].map(Number) as [number, number, number, number, number, number];
  const [y, mo, d, h, mi, s] = numbers;
  const ms = Number(fraction.padEnd(3, '0').slice(0, 3));
  const local = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const check = new Date(local);
  if (mo < 1 || mo > 12 || h > 23 || mi > 59 || s > 59 || check.getUTCDate() !== d || check.getUTCMonth() !== mo - 1) {
    return fail(refuse('no such date or time'));
  }
  let offsetMinutes = 0;
  if (zone!.toUpperCase() !== 'Z') {
    const digits = zone!.slice(1).replace(':', '');
    const hours = Number(digits.slice(0, 2));
    const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
    if (hours > 23 || minutes > 59) return fail(refuse(`the offset ${zone} is out of range`));
    offsetMinutes = (zone!.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
  }
  return new Date(local - offsetMinutes * 60_000);
}

function fail(error: ConfigError): never {
  throw error;
}
