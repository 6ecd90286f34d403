import { ConfigError } from './errors.js';

/**
 * Option checks shared by every entry point. Each throws a {@link ConfigError} naming the field,
 * the value given and what is allowed, and returns the value with its type narrowed.
 */

/** A whole number of at least 1. */
export function positiveInteger(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ConfigError(field, `${field} must be a positive integer, got ${describe(value)}.`);
  }
  return value;
}

/** A whole number of at least 0. */
export function nonNegativeInteger(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new ConfigError(field, `${field} must be a non-negative integer, got ${describe(value)}.`);
  }
  return value;
}

/** A finite number above 0; `unit` says what it counts (`bytes per second`). */
export function positiveNumber(value: unknown, field: string, unit: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ConfigError(field, `${field} must be a positive number of ${unit}, got ${describe(value)}.`);
  }
  return value;
}

/** A whole number in `[min, max]`; `allowed` says it in words. */
export function integerBetween(value: unknown, field: string, min: number, max: number, allowed: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(field, `${field} must be ${allowed}, got ${describe(value)}.`);
  }
  return value;
}

/** One of `choices`. */
export function oneOf<const T extends string>(value: unknown, field: string, choices: readonly T[]): T {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw new ConfigError(field, `${field} must be one of ${choices.join(', ')}, got ${describe(value)}.`);
  }
  return value as T;
}

/**
 * Refuses own properties of `options` that `known` does not list, so a misspelt option (`delet`)
 * fails loudly instead of being ignored. `path` prefixes the field of nested objects.
 */
export function assertKnownNames(options: object, known: Readonly<Record<string, unknown>>, path = ''): void {
  for (const name of Object.keys(options)) {
    if (Object.hasOwn(known, name)) continue;
    const field = `${path}${name}`;
    const close = Object.keys(known).filter((candidate) => nearlyEqual(candidate, name));
    throw new ConfigError(
      field,
      `unknown option ${JSON.stringify(field)}${close.length > 0 ? ` (did you mean ${close.map((c) => JSON.stringify(path + c)).join(' or ')}?)` : ''}; ` +
        `known options are ${Object.keys(known).join(', ')}.`,
    );
  }
}

function describe(value: unknown): string {
  return typeof value === 'number' ? String(value) : JSON.stringify(value) ?? String(value);
}

/** True when one name is the other with a letter added, dropped or changed, or a prefix of it. */
function nearlyEqual(a: string, b: string): boolean {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()];
  if (x.startsWith(y) || y.startsWith(x)) return true;
  if (Math.abs(x.length - y.length) > 1) return false;
  let i = 0;
  while (i < x.length && x[i] === y[i]) i++;
  return x.slice(i + (x.length >= y.length ? 1 : 0)) === y.slice(i + (y.length >= x.length ? 1 : 0));
}
