import { lookup } from 'mime-types';

/** The Content-Type for a key, from its extension; `application/octet-stream` when unknown. */
export function guessContentType(key: string): string {
  return lookup(key) || 'application/octet-stream';
}
