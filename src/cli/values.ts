import bytes from 'bytes-iec';
import ms from 'ms';
import { InvalidArgumentError } from 'commander';
import { parseBandwidthLimit, parseMaxDelete as parseMaxDeleteText, S3_STORAGE_CLASSES, type MaxDelete, type StorageClassRule } from 's3kit';

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

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** `--part-size`: S3 parts are 5 MiB to 5 GiB (the last part may be smaller). */
export function parsePartSize(value: string): number {
  const size = parseSize(value);
  if (size < 5 * MiB) throw new InvalidArgumentError(`--part-size must be at least 5 MiB, S3's smallest part.`);
  if (size > 5 * GiB) throw new InvalidArgumentError(`--part-size must be at most 5 GiB, S3's largest part.`);
  return size;
}

/** `--multipart-threshold`: files below it go in one PUT, and S3 takes at most 5 GiB in one PUT. */
export function parseMultipartThreshold(value: string): number {
  const size = parseSize(value);
  if (size < 5 * MiB) throw new InvalidArgumentError(`--multipart-threshold must be at least 5 MiB, S3's smallest part.`);
  if (size > 5 * GiB) throw new InvalidArgumentError(`--multipart-threshold must be at most 5 GiB, the most S3 takes in one PUT.`);
  return size;
}

/** A rate written with a lowercase `b`, which usually means bits (`10Mb/s`). */
const BITS = /^\s*\d+(?:\.\d+)?\s*[KMGTkmgt]?[iI]?b\s*(?:\/\s*s)?\s*$/;

/** `--bwlimit`: bytes per second, `10MiB/s`, `500KiB/s`, `1M` (powers of 1024, as in rclone). */
export function parseBwlimit(value: string): number {
  const rate = parseBandwidthLimit(value);
  if (rate !== undefined) return rate;
  const text = JSON.stringify(value);
  if (BITS.test(value)) {
    throw new InvalidArgumentError(`--bwlimit ${text}: a lowercase b reads as bits, and s3kit limits bytes per second; write e.g. 10MB/s or 10MiB/s.`);
  }
  // A zero that would be a rate with any other number: "0", "0M", "0MiB/s".
  if (parseBandwidthLimit(value.replace(/^\s*0+(\.0*)?/, '1')) !== undefined) {
    throw new InvalidArgumentError(`--bwlimit ${text} must be more than 0; leave --bwlimit out for no limit.`);
  }
  throw new InvalidArgumentError(`--bwlimit ${text} is not a rate: use bytes per second, e.g. 10MiB/s, 500KiB/s, 1M or 1048576 (K, M, G = KiB, MiB, GiB).`);
}

/** `--storage-class`: refused once here rather than by the server on every file. */
export function parseStorageClass(value: string): string {
  if (S3_STORAGE_CLASSES.includes(value)) return value;
  const upper = value.toUpperCase();
  const hint = S3_STORAGE_CLASSES.includes(upper) ? ` (did you mean ${upper}?)` : '';
  throw new InvalidArgumentError(`not an S3 storage class${hint}; use one of ${S3_STORAGE_CLASSES.join(', ')}.`);
}

/** The field names `--storage-class-rule` takes, with their spellings. */
const RULE_FIELDS: Readonly<Record<string, 'include' | 'minSize' | 'olderThan' | 'storageClass' | 'force'>> = {
  include: 'include',
  minsize: 'minSize',
  'min-size': 'minSize',
  olderthan: 'olderThan',
  'older-than': 'olderThan',
  class: 'storageClass',
  storageclass: 'storageClass',
  'storage-class': 'storageClass',
  force: 'force',
};

/**
 * `--storage-class-rule 'include=*.mp4,minSize=128KiB,olderThan=30d,class=STANDARD_IA[,force]'`,
 * repeatable: one rule of `storageClassRules` per flag, in order (the first match wins). The
 * library checks the values (sizes, ages, the 128 KiB minimum) and names the rule at fault.
 */
export function collectStorageClassRule(value: string, previous: readonly StorageClassRule[] = []): StorageClassRule[] {
  const rule: Record<string, string | boolean> = {};
  for (const part of value.split(',')) {
    const text = part.trim();
    if (text === '') continue;
    const equals = text.indexOf('=');
    const name = (equals === -1 ? text : text.slice(0, equals)).trim();
    const field = RULE_FIELDS[name.toLowerCase()];
    if (field === undefined) {
      throw new InvalidArgumentError(`--storage-class-rule: unknown field "${name}"; use include=PATTERN, minSize=SIZE, olderThan=AGE, class=CLASS and force, e.g. include=*.mp4,minSize=128KiB,olderThan=30d,class=STANDARD_IA.`);
    }
    if (Object.hasOwn(rule, field)) throw new InvalidArgumentError(`--storage-class-rule: ${name} is given twice in ${JSON.stringify(value)}.`);
    if (field === 'force') {
      const flag = equals === -1 ? 'true' : text.slice(equals + 1).trim();
      if (flag !== 'true' && flag !== 'false') throw new InvalidArgumentError(`--storage-class-rule: force takes no value (or true/false), got ${JSON.stringify(flag)}.`);
      rule.force = flag === 'true';
    } else {
      if (equals === -1) throw new InvalidArgumentError(`--storage-class-rule: ${name} needs a value (${name}=…).`);
      rule[field] = field === 'storageClass' ? parseStorageClass(text.slice(equals + 1).trim()) : text.slice(equals + 1).trim();
    }
  }
  if (rule.storageClass === undefined) throw new InvalidArgumentError(`--storage-class-rule ${JSON.stringify(value)} names no class: add class=STANDARD_IA (or another).`);
  return [...previous, rule as unknown as StorageClassRule];
}

/** `--endpoint-url`: an http:// or https:// URL; a bare host:port gets a suggestion. */
export function parseEndpointUrl(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  // `localhost:7480` parses as a URL whose scheme is "localhost:", so check the scheme too.
  if (url !== undefined && (url.protocol === 'http:' || url.protocol === 'https:')) return value;
  const suggestion = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? '' : ` (did you mean http://${value} or https://${value}?)`;
  throw new InvalidArgumentError(`"${value}" is not an http:// or https:// URL${suggestion}.`);
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
  if (value.endsWith('%') && Number(value.slice(0, -1)) > 100) {
    throw new InvalidArgumentError(`"${value}": a percentage must be between 0% and 100% (of the target's keys).`);
  }
  throw new InvalidArgumentError(`"${value}" is neither a count (e.g. 100) nor a percentage (e.g. 10%).`);
}

/** Parses a duration such as `3600` (seconds), `90s`, `15m`, `1h` or `7d` into whole seconds. */
export function parseDurationSeconds(value: string): number {
  let milliseconds: number | undefined;
  try {
    milliseconds = /^\d+$/.test(value) ? Number(value) * 1000 : ms(value as ms.StringValue);
  } catch {
    // ms() throws on an empty or overlong string instead of returning undefined.
    milliseconds = undefined;
  }
  if (typeof milliseconds !== 'number' || !Number.isFinite(milliseconds) || milliseconds < 1000) {
    throw new InvalidArgumentError(`"${value}" is not a duration: use seconds or a unit, e.g. 3600, 15m, 1h, 7d.`);
  }
  return Math.round(milliseconds / 1000);
}

/** `--expires` of presign: S3 signatures last at most 7 days. */
export function parseExpires(value: string): number {
  const seconds = parseDurationSeconds(value);
  if (seconds > 7 * 86_400) throw new InvalidArgumentError('--expires must be at most 7 days (604800 s), the longest a SigV4 signature lasts.');
  return seconds;
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
  if (typeof milliseconds !== 'number' || !Number.isFinite(milliseconds)) {
    throw new InvalidArgumentError(`"${value}" is not a duration: use seconds or a unit, e.g. 30, 30s, 5m, 1500ms.`);
  }
  // Node's timers hold at most 2^31 - 1 ms; a longer one would fire at once.
  if (milliseconds <= 0 || milliseconds > 2 ** 31 - 1) {
    throw new InvalidArgumentError(`"${value}" must be more than 0 and at most 24 days.`);
  }
  return Math.round(milliseconds);
}
