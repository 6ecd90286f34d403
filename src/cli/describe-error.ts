import { escapeText, isS3kitError } from 's3kit';

/** One line for people; the stack only with `--debug`, and only for errors s3kit did not expect. */
export function describeError(error: unknown, debug: boolean): string {
  const message = error instanceof Error ? error.message : String(error);
  if (debug && error instanceof Error && error.stack !== undefined) return error.stack;
  // Messages quote keys and paths, which may hold control characters.
  if (isS3kitError(error)) return inFlagWords(escapeText(message));
  return `${inFlagWords(escapeText(message))} (run with --debug for details)`;
}

/** Library options that library messages name, and the flags that set them on the command line. */
const FLAG_OF_OPTION: Readonly<Record<string, string>> = {
  timeoutMs: '--timeout',
  connectTimeoutMs: '--connect-timeout',
};

/** A library message in the command line's words: it names flags, not options. */
export function inFlagWords(message: string): string {
  return message.replace(/\b(timeoutMs|connectTimeoutMs)\b/g, (option) => FLAG_OF_OPTION[option] ?? option);
}
