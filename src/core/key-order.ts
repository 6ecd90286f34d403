/**
 * Compares two object keys in S3 listing order: Unicode code point order, which equals the
 * byte order of their UTF-8 encodings.
 *
 * JavaScript's `<` compares UTF-16 code units, which disagrees with code point order when one
 * key has a surrogate pair (U+10000 and above, e.g. emoji) where the other has a character in
 * U+E000–U+FFFF. This function fixes exactly that case without encoding either string.
 *
 * @returns a negative number when `a` sorts first, a positive number when `b` does, 0 when equal.
 * @public
 */
export function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    let ca = a.charCodeAt(i);
    let cb = b.charCodeAt(i);
    if (ca === cb) continue;
    if (ca >= 0xd800 && cb >= 0xd800) {
      ca = lift(ca);
      cb = lift(cb);
    }
    return ca < cb ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** Moves surrogates (D800–DFFF) above E000–FFFF so code units order as code points do. */
function lift(codeUnit: number): number {
  return codeUnit >= 0xe000 ? codeUnit - 0x800 : codeUnit + 0x2000;
}
