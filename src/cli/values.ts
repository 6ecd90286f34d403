import bytes from 'bytes-iec';
import ms from 'ms';
import { InvalidArgumentError } from 'commander';
import { parseMaxDelete as parseMaxDeleteText, type MaxDelete } from 's3kit';

/**
 * Parses a size such as `64MB`, `8MiB`, `512KB` or `1048576`. As in aws-cli, `KB`/`MB`/`GB`
 * are powers of 1024 (JEDEC), the same as `KiB`/`MiB`/`GiB`.
 */
export function parseSize(value: string): number {
  const parsed = bytes.parse(value, { mode: 'jedec' });
  if (parsed === null || !Number.isFinite(parsed) || parsed < 0 || !/^\s*\d/.test(value)) {
    throw new InvalidArgumentError(`"${value}" is not a size: use a number of bytes or a unit, e.g. 64MB, 8MiB, 512KB.`);
  }
  return Math.round(parsed);
}

/** Parses a positive whole number. */
export function parsePositiveInteger(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError(`"${value}" is not a positive whole number.`);
  return Number(value);
}

/** Parses `--max-delete`: a count (`100`) or a percentage of the target's keys (`10%`). */
export function parseMaxDelete(value: string): MaxDelete {
  const parsed = parseMaxDeleteText(value);
  if (parsed !== undefined) return parsed;
  throw new InvalidArgumentError(`"${value}" is neither a count (e.g. 100) nor a percentage (e.g. 10%).`);
}

/** Parses a duration such as `3600` (seconds), `90s`, `15m`, `1h` or `7d` into whole seconds. */
export function parseDurationSeconds(value: string): number {
  const milliseconds = /^\d+$/.test(value) ? Number(value) * 1000 : ms(value as ms.StringValue);
  if (typeof milliseconds !== 'number' || !Number.isFinite(milliseconds) || milliseconds < 1000) {
    throw new InvalidArgumentError(`"${value}" is not a duration: use seconds or a unit, e.g. 3600, 15m, 1h, 7d.`);
  }
  return Math.round(milliseconds / 1000);
}

/** Parses `--metadata key=value,key2=value2` (or aws-cli's JSON map `{"key":"value"}`). */
export function parseMetadata(value: string): Record<string, string> {
  const trimmed = value.trim();
  if (trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new InvalidArgumentError(`"${value}" is not valid JSON; use key=value,key2=value2 or {"key":"value"}.`);
    }
    if (typeof parsed !== 'object' || parsed === null || Object.values(parsed).some((v) => typeof v !== 'string')) {
      throw new InvalidArgumentError('--metadata JSON must map names to string values.');
    }
    return parsed as Record<string, string>;
  }
  const metadata: Record<string, string> = {};
  for (const pair of trimmed.split(',')) {
    const equals = pair.indexOf('=');
    if (equals < 1) throw new InvalidArgumentError(`"${pair}" is not key=value; use --metadata key=value,key2=value2.`);
    metadata[pair.slice(0, equals).trim()] = pair.slice(equals + 1).trim();
  }
  return metadata;
}

/** Parses a timeout such as `30s`, `5m`, `1500ms` or `30` (seconds) into milliseconds. */
export function parseDurationMs(value: string): number {
  const milliseconds = /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : ms(value as ms.StringValue);
  if (typeof milliseconds !== 'number' || !Number.isFinite(milliseconds) || milliseconds <= 0) {
    throw new InvalidArgumentError(`"${value}" is not a duration: use seconds or a unit, e.g. 30, 30s, 5m, 1500ms.`);
  }
  return Math.round(milliseconds);
}
