import { ListingError } from './errors.js';

/**
 * A key from a listing asked for with `encoding-type=url` (ListObjectsV2, ListObjectVersions,
 * ListMultipartUploads). Listings ask for it because the SDK's XML reader turns a key that is
 * only white space with a line break (`"\n"`) into `""`; URL encoding keeps every key as text
 * the reader leaves alone. A `+` is a space (AWS's form encoding); a literal plus comes as %2B.
 * A value that is not valid URL encoding fails the listing: guessing a key is how the wrong
 * object gets deleted.
 */
export function urlDecodedKey(value: string, side: 'source' | 'target'): string {
  try {
    return decodeURIComponent(value.replaceAll('+', ' '));
  } catch {
    throw new ListingError(side, `The server answered a listing with a key that is not valid URL encoding (${JSON.stringify(value.slice(0, 200))}); nothing was deleted.`, { code: 'BadKeyEncoding' });
  }
}
