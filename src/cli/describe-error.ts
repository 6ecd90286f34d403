import { escapeText, isS3kitError } from 's3kit';

/** One line for people; the stack only with `--debug`, and only for errors s3kit did not expect. */
export function describeError(error: unknown, debug: boolean): string {
  const message = error instanceof Error ? error.message : String(error);
  if (debug && error instanceof Error && error.stack !== undefined) return error.stack;
  // Messages quote keys and paths, which may hold control characters.
  // A config error lists its problems one per line ("\n  - "); keep those line breaks, escape the rest.
  if (isS3kitError(error)) return message.split('\n  - ').map(escapeText).join('\n  - ');
  return `${escapeText(message)} (run with --debug for details)`;
}
