import { ConfigError, type Entry, type Location } from '../index.js';
import { s3SourceOf } from '../core/entry.js';

/*
 * The S3 Batch Operations CSV manifest (format `S3BatchOperations_CSV_20180820`): one
 * `bucket,key[,versionId]` line per object, no header, the key URL-encoded as Python's
 * `quote_plus(key, safe='/')` would (AWS's documented contract: `+` for a space, `/` kept, every
 * other character but letters, digits and `_.-~` as %XX of its UTF-8 bytes). s3kit's own copy
 * lists read the same lines back (listing/list-manifest.ts).
 */

/**
 * One line of a Batch Operations CSV manifest (without the newline).
 * @public
 */
export function batchManifestLine(bucket: string, key: string, versionId?: string): string {
  const encoded = encodeURIComponent(key)
    .replace(/%2F/g, '/')
    .replace(/%20/g, '+')
    .replace(/[!'()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
  return versionId === undefined ? `${bucket},${encoded}` : `${bucket},${encoded},${versionId}`;
}

/**
 * The `TargetKeyPrefix` of a Batch Operations copy job that does what a sync from
 * `s3://…/sourcePrefix` to `s3://…/targetPrefix` does. A copy job keeps each object's whole key
 * and can only put a prefix before it, so `sourcePrefix/x` lands at the TargetKeyPrefix followed
 * by `sourcePrefix/x`: the target prefix must end with the source prefix. Otherwise a
 * `ConfigError` says which prefixes would work.
 * @public
 */
export function batchTargetKeyPrefix(sourcePrefix: string, targetPrefix: string): string {
  if (!targetPrefix.endsWith(sourcePrefix)) {
    throw new ConfigError(
      'target',
      `an S3 Batch Operations copy keeps each key whole and can only add a prefix before it, so the objects under "${sourcePrefix}" would land under ` +
        `"<prefix>${sourcePrefix}", never under "${targetPrefix}": sync to a target prefix that ends with "${sourcePrefix}" (e.g. s3://target-bucket/${sourcePrefix}), ` +
        'or copy from the bucket root, or run s3kit sync itself (with --shard to spread it over machines).',
    );
  }
  return targetPrefix.slice(0, targetPrefix.length - sourcePrefix.length);
}

/**
 * The S3 object a planned copy reads: the source location's bucket and prefixed key (S3 → S3),
 * or a copy list's `s3://` object and version; undefined for a local file or an http(s) URL.
 * @public
 */
export function batchSourceObject(source: Location, entry: Entry): { readonly bucket: string; readonly key: string; readonly versionId?: string } | undefined {
  if (source.kind === 's3') return { bucket: source.bucket, key: source.prefix + entry.key };
  const object = source.kind === 'manifest' ? s3SourceOf(entry.url) : undefined;
  return object === undefined ? undefined : { ...object, ...(entry.versionId === undefined ? {} : { versionId: entry.versionId }) };
}
