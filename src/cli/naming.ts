import { join } from 'node:path';
import { directionOf, escapeText, type Direction, type Entry, type Location } from 's3kit';
import type { Naming } from './output/text-reporter.js';

const VERBS: Readonly<Record<Direction, { verb: string; past: string }>> = {
  upload: { verb: 'upload', past: 'uploaded' },
  download: { verb: 'download', past: 'downloaded' },
  copy: { verb: 'copy', past: 'copied' },
  ingest: { verb: 'fetch', past: 'fetched' },
};

/**
 * How keys are shown in lines: a local side as the path the user typed joined with the key, an
 * S3 side as its URL.
 */
export function namingFor(source: Location, target: Location, sourceArg: string, targetArg: string): Naming {
  // Keys may hold control characters: every name printed goes through escapeText.
  const show = (location: Location, arg: string) => (key: string, entry?: Entry) => {
    if (location.kind === 's3') return escapeText(`s3://${location.bucket}/${location.prefix}${key}`);
    return escapeText(location.kind === 'manifest' ? (entry?.url ?? key) : join(arg, key));
  };
  return { ...VERBS[directionOf(source, target)], source: show(source, sourceArg), target: show(target, targetArg) };
}
