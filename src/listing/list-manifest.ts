import { readFile } from 'node:fs/promises';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { s3SourceOf, type Entry } from '../core/entry.js';
import { stripEtagQuotes } from '../core/etag.js';
import { describeS3Error } from '../core/s3-errors.js';
import { ConfigError } from '../core/errors.js';
import type { SyncWarning } from '../core/events.js';
import { compareKeys } from '../core/key-order.js';
import { cannotRead } from '../core/cannot-read.js';

/**
 * Options of {@link listManifest}.
 * @public
 */
export interface ListManifestOptions {
  readonly signal?: AbortSignal;
  /**
   * HEAD requests in flight at once while sizing the URLs.
   * @defaultValue `16`
   */
  readonly concurrency?: number;
  /** Called for a URL whose HEAD failed (its size is then unknown and taken as 0). */
  readonly onWarning?: (warning: SyncWarning) => void;
  /** The client that reads the `s3://` sources of a copy list. */
  readonly s3Client?: S3Client;
}

interface ManifestLine {
  /** `http(s)://…`, or `s3://bucket/key` with the key as stored. */
  readonly url: string;
  readonly versionId?: string;
  readonly key: string;
  readonly line: number;
}

/**
 * Lists a manifest as entries sorted by their target key; blank lines and `#` comments are
 * ignored. A line is one of:
 * - `https://host/path` or `http://…`, optionally `<TAB>key`: a URL to fetch (the key defaults
 *   to the URL's decoded path), sized with a HEAD (`Content-Length`, `Last-Modified`);
 * - `s3://bucket/key`, optionally `<TAB>target/key`: an object to copy (the target key defaults
 *   to the source key), sized with a HeadObject through `s3Client`;
 * - `bucket,key[,versionId]`: a line of an S3 Batch Operations CSV manifest (the key URL-encoded
 *   as the documentation requires, `+` for a space), copied to the same key.
 * Target keys that are absolute or hold a `..` segment are refused. Unlike the other listings
 * this one holds the manifest's lines in memory, to sort them.
 * @public
 */
export async function* listManifest(path: string, options: ListManifestOptions = {}): AsyncGenerator<Entry> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError('source', `${cannotRead(`manifest ${path}`, error)}.`, { cause: error });
  }
  const lines = parseManifest(text, path).sort((a, b) => compareKeys(a.key, b.key));
  for (let i = 1; i < lines.length; i++) {
    if (lines[i]!.key === lines[i - 1]!.key) {
      throw new ConfigError(
        'source',
        `manifest ${path}: lines ${lines[i - 1]!.line} and ${lines[i]!.line} both go to the key ${JSON.stringify(lines[i]!.key)}; give one of them another key after a tab.`,
      );
    }
  }
  const concurrency = options.concurrency ?? 16;
  for (let i = 0; i < lines.length; i += concurrency) {
    options.signal?.throwIfAborted();
    yield* await Promise.all(lines.slice(i, i + concurrency).map((line) => (line.url.startsWith('s3://') ? sizedObject(line, options) : sized(line, options))));
  }
}

/** A bucket name as S3 allows it (3–63 characters of lower-case letters, digits, dots and hyphens). */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

function parseManifest(text: string, path: string): ManifestLine[] {
  const lines: ManifestLine[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const where = `manifest ${path} line ${index + 1}`;
    const line = parseLine(trimmed, where);
    const problem = unsafeKey(line.key);
    if (problem !== undefined) throw new ConfigError('source', `${where}: the target key ${JSON.stringify(line.key)} ${problem}; give a relative key after a tab.`);
    lines.push({ ...line, line: index + 1 });
  });
  return lines;
}

function parseLine(trimmed: string, where: string): Omit<ManifestLine, 'line'> {
  const [first = '', explicitKey] = trimmed.split('\t').map((part) => part.trim());
  if (first.startsWith('s3://')) {
    const source = s3SourceOf(first);
    if (source === undefined || !BUCKET.test(source.bucket) || source.key === '' || source.key.endsWith('/')) {
      throw new ConfigError('source', `${where}: ${JSON.stringify(first)} must be s3://bucket/key, naming one object.`);
    }
    return { url: first, key: explicitKey ?? source.key };
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(first) || explicitKey !== undefined) return urlLine(first, explicitKey, where);
  // An S3 Batch Operations CSV line: bucket,key[,versionId], the key URL-encoded.
  const csv = /^([^,]+),([^,]+)(?:,([^,]*))?$/.exec(first);
  if (csv === null || !BUCKET.test(csv[1]!)) {
    throw new ConfigError(
      'source',
      `${where}: ${JSON.stringify(first)} is neither a URL (https://…, or s3://bucket/key for a copy) nor a Batch Operations CSV line (bucket,key[,versionId]).`,
    );
  }
  let key: string;
  try {
    key = decodeURIComponent(csv[2]!.replace(/\+/g, ' '));
  } catch {
    throw new ConfigError('source', `${where}: the key ${JSON.stringify(csv[2])} is not URL-encoded as a Batch Operations manifest needs (e.g. %20 or + for a space).`);
  }
  if (key === '' || key.endsWith('/')) throw new ConfigError('source', `${where}: the key ${JSON.stringify(key)} names no object.`);
  const versionId = csv[3] === undefined || csv[3] === '' ? undefined : csv[3];
  return { url: `s3://${csv[1]}/${key}`, key, ...(versionId === undefined ? {} : { versionId }) };
}

function urlLine(urlText: string, explicitKey: string | undefined, where: string): Omit<ManifestLine, 'line'> {
  let url: URL;
  try {
    url = new URL(urlText);
  } catch {
    throw new ConfigError('source', `${where}: ${JSON.stringify(urlText)} is not a URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError('source', `${where}: only http://, https:// and s3:// sources can be copied, not ${url.protocol}//.`);
  }
  const key = explicitKey ?? decodeURIComponent(url.pathname).replace(/^\/+/, '');
  if (key === '' || key.endsWith('/')) {
    throw new ConfigError('source', `${where}: ${urlText} names no file; add a key after a tab.`);
  }
  return { url: url.href, key };
}

/** Why a target key cannot be used, or undefined. */
function unsafeKey(key: string): string | undefined {
  if (key.startsWith('/')) return 'is absolute';
  if (key.split('/').includes('..')) return 'has a ".." segment';
  return undefined;
}

/** An object of a copy list, sized with a HeadObject (its version's, when the line names one). */
async function sizedObject(line: ManifestLine, options: ListManifestOptions): Promise<Entry> {
  const source = s3SourceOf(line.url)!;
  const entry = { key: line.key, url: line.url, ...(line.versionId === undefined ? {} : { versionId: line.versionId }) };
  if (options.s3Client === undefined) throw new ConfigError('source', `manifest line ${line.line}: an s3:// source needs an S3 client to read it.`);
  try {
    const head = await options.s3Client.send(new HeadObjectCommand({ Bucket: source.bucket, Key: source.key, VersionId: line.versionId }), { abortSignal: options.signal });
    const etag = stripEtagQuotes(head.ETag);
    return { ...entry, size: head.ContentLength ?? 0, mtimeMs: head.LastModified?.getTime() ?? 0, ...(etag === undefined ? {} : { etag }) };
  } catch (error) {
    if (options.signal?.aborted === true) throw options.signal.reason;
    options.onWarning?.({
      code: 'unreachable-url',
      path: line.url,
      message: `${line.url}${line.versionId === undefined ? '' : ` (version ${line.versionId})`}: HeadObject failed (${describeS3Error(error, source.bucket)}); its size is unknown, so it will be copied and fail there if it is missing`,
      incompleteListing: false,
    });
    return { ...entry, size: 0, mtimeMs: 0 };
  }
}

async function sized(line: ManifestLine, options: ListManifestOptions): Promise<Entry> {
  try {
    const response = await fetch(line.url, { method: 'HEAD', signal: options.signal, redirect: 'follow' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const size = Number(response.headers.get('content-length') ?? NaN);
    const modified = Date.parse(response.headers.get('last-modified') ?? '');
    return { key: line.key, url: line.url, size: Number.isFinite(size) ? size : 0, mtimeMs: Number.isFinite(modified) ? modified : 0 };
  } catch (error) {
    if (options.signal?.aborted === true) throw options.signal.reason;
    options.onWarning?.({
      code: 'unreachable-url',
      path: line.url,
      message: `${line.url}: HEAD failed (${error instanceof Error ? error.message : String(error)}); its size is unknown, so it will be fetched`,
      incompleteListing: false,
    });
    return { key: line.key, url: line.url, size: 0, mtimeMs: 0 };
  }
}
