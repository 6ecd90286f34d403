/**
 * What a bandwidth limit written as text may be, for error messages: bytes per second, with an
 * optional unit of powers of 1024 (as `--part-size` reads `MB`) and an optional `/s`.
 */
export const BANDWIDTH_LIMIT_RULE = 'bytes per second, e.g. 10MiB/s, 500KiB/s, 1M or 1048576 (K, M, G, T are powers of 1024; B is bytes)';

const RATE = /^(\d+(?:\.\d+)?)\s*(?:([kmgt])(i?)(b?)|(b))?\s*(?:\/\s*s)?$/i;
const POWERS: Readonly<Record<string, number>> = { k: 1, m: 2, g: 3, t: 4 };

/**
 * Parses a bandwidth limit written as text (a flag, a config value): `10MiB/s`, `10MB`,
 * `500KiB/s`, `1M`, `1048576` (bytes). Units are powers of 1024, as rclone's `--bwlimit` and
 * aws-cli's sizes read them. A lowercase `b` (`10Mb/s`) is refused, since it usually means bits.
 * Returns the rate in bytes per second, or undefined when the text is not a positive rate.
 * bytes-iec (which `parseSize` uses) reads neither `1M` nor `/s`, hence the pattern here.
 * @public
 */
export function parseBandwidthLimit(text: string): number | undefined {
  const match = RATE.exec(text.trim());
  if (match === null) return undefined;
  const [, number, prefix, , prefixedB, bareB] = match;
  if (prefixedB === 'b' || bareB === 'b') return undefined;
  const bytes = Math.round(Number(number) * 1024 ** (prefix === undefined ? 0 : POWERS[prefix.toLowerCase()]!));
  return Number.isFinite(bytes) && bytes > 0 ? bytes : undefined;
}
