/**
 * Compiles an aws-cli `--exclude`/`--include` pattern to a RegExp. aws-cli matches with Python's
 * `fnmatch`, where `*` also matches `/` (unlike a shell glob or gitignore), so neither `ignore`
 * nor a glob library gives the same answers; this is that small translation.
 * `*` any run of characters, `?` one character, `[seq]` / `[!seq]` a character class.
 */
export function compileFnmatch(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else if (char === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close === -1) {
        source += '\\[';
        continue;
      }
      let body = pattern.slice(i + 1, close);
      const negate = body.startsWith('!');
      if (negate) body = body.slice(1);
      source += `[${negate ? '^' : ''}${body.replace(/[\\^\]]/g, '\\$&')}]`;
      i = close;
    } else source += char.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

/** The part of a pattern before its first wildcard (`*`, `?` or `[`): every match starts with it. */
export function literalPrefix(pattern: string): string {
  const wildcard = pattern.search(/[*?[]/);
  return wildcard === -1 ? pattern : pattern.slice(0, wildcard);
}
