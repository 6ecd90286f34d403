import { isUtf8 } from 'node:buffer';

/**
 * Control characters (C0, DEL, C1) and the Unicode line and paragraph separators: a key or a
 * file name holding one could move the cursor, clear the screen or start a fake output line.
 */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Makes a key, a path or a message safe to print on one line: control characters become `\n`,
 * `\t`, `\xHH` or `\uHHHH`. Backslashes are left alone, so an escaped text can be escaped again
 * without change and a Windows-style key reads as it is; what matters is that no key can move
 * the cursor or begin a line of its own (a fake `Done:` line).
 * @public
 */
export function escapeText(text: string): string {
  return text.replace(UNPRINTABLE, (char) => {
    const named = NAMED[char];
    if (named !== undefined) return named;
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * Renders bytes that may not be valid UTF-8 (a file name from the disk): valid sequences as
 * text, escaped with {@link escapeText}, and every byte that is not part of one as `\xHH`.
 */
export function escapeBytes(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const length = sequenceLength(bytes[i]!);
    const sequence = bytes.subarray(i, i + length);
    if (length > 0 && sequence.length === length && isUtf8(sequence)) {
      out += escapeText(Buffer.from(sequence).toString('utf8'));
      i += length;
    } else {
      out += `\\x${bytes[i]!.toString(16).padStart(2, '0')}`;
      i++;
    }
  }
  return out;
}

/** The length of the UTF-8 sequence a lead byte announces, or 0 for a byte that cannot lead one. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}
