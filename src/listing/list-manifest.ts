import { readFile } from 'node:fs/promises';
import type { Entry } from '../core/entry.js';
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
}

interface ManifestLine {
  readonly url: string;
  readonly key: string;
  readonly line: number;
}

/**
 * Lists a manifest — one `http(s)://…` URL per line, or `url<TAB>key`; blank lines and `#`
 * comments ignored — as entries sorted by key. The key defaults to the URL's decoded path
 * without the leading `/`. Each URL is sized with a HEAD (`Content-Length`, `Last-Modified`).
 * Unlike the other listings this one holds the manifest's lines in memory, to sort them.
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
    yield* await Promise.all(lines.slice(i, i + concurrency).map((line) => sized(line, options)));
  }
}

function parseManifest(text: string, path: string): ManifestLine[] {
  const lines: ManifestLine[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const [urlText = '', explicitKey] = trimmed.split('\t').map((part) => part.trim());
    let url: URL;
    try {
      url = new URL(urlText);
    } catch {
      throw new ConfigError('source', `manifest ${path} line ${index + 1}: ${JSON.stringify(urlText)} is not a URL.`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new ConfigError('source', `manifest ${path} line ${index + 1}: only http:// and https:// URLs can be fetched, not ${url.protocol}//.`);
    }
    const key = explicitKey ?? decodeURIComponent(url.pathname).replace(/^\/+/, '');
    if (key === '' || key.endsWith('/')) {
      throw new ConfigError('source', `manifest ${path} line ${index + 1}: ${urlText} names no file; add a key after a tab.`);
    }
    lines.push({ url: url.href, key, line: index + 1 });
  });
  return lines;
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
