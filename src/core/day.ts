import { isValid } from 'date-fns/isValid';
import { parseISO } from 'date-fns/parseISO';

/** A calendar day as written in configs and flags: `YYYY-MM-DD`. */
export const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Parses a calendar day `YYYY-MM-DD` into local midnight of that day, or undefined for anything
 * else (another format, or a day that does not exist such as `2024-02-30`).
 * @public
 */
export function parseDay(text: string): Date | undefined {
  if (!DAY_PATTERN.test(text)) return undefined;
  const date = parseISO(text);
  return isValid(date) ? date : undefined;
}
