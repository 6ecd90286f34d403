import { diagnoseCredentials, escapeText, isS3kitError, S3kitError, type S3ConnectionOptions } from 's3kit';
import { exitCodeForError } from './exit-codes.js';

/**
 * The library's messages name its options; on the command line the flags that set them are
 * named instead.
 */
const FLAG_WORDS: readonly [RegExp, string][] = [
  [/the region option/g, '--region'],
  [/the profile option/g, '--profile'],
  [/\(the ignorePatterns option: \["([^"]*)"\]\)/g, '(--exclude "$1*")'],
  [/\btimeoutMs\b/g, '--timeout'],
  [/\bconnectTimeoutMs\b/g, '--connect-timeout'],
];

/** A library message in the command line's words: it names flags, not options. */
export function inFlagWords(message: string): string {
  let text = message;
  for (const [pattern, flag] of FLAG_WORDS) text = text.replace(pattern, flag);
  return text;
}

/** One line for people; the stack only with `--debug`, and only for errors s3kit did not expect. */
export function describeError(error: unknown, debug: boolean): string {
  const message = error instanceof Error ? error.message : String(error);
  if (debug && error instanceof Error && error.stack !== undefined) return error.stack;
  // Messages quote keys and paths, which may hold control characters. A config error lists its
  // problems one per line ("\n  - "); keep those line breaks, escape the rest.
  if (isS3kitError(error)) return inFlagWords(message.split('\n  - ').map(escapeText).join('\n  - '));
  return `${inFlagWords(escapeText(message))} (run with --debug for details)`;
}

/**
 * The SDK says only "no credentials" whatever went wrong; for that error, ask it again why (a
 * missing profile, a failed or expired credential_process) and say so instead.
 */
export async function explainCredentials(error: unknown, connection: Pick<S3ConnectionOptions, 'profile' | 'region'>): Promise<unknown> {
  const e = error as { code?: unknown; name?: unknown; message?: unknown } | undefined;
  if (e?.code !== 'CredentialsProviderError' && e?.name !== 'CredentialsProviderError') return error;
  const diagnosis = await diagnoseCredentials(connection);
  const message = typeof e.message === 'string' ? e.message : '';
  const generic = /no AWS credentials found:.*$/;
  return new S3kitError(generic.test(message) ? message.replace(generic, diagnosis) : diagnosis, { cause: error });
}

/**
 * How a command reports the error that ended it: explained (a credentials problem named, see
 * {@link explainCredentials}), as one `s3kit: …` line on stderr. Returns the exit code for it and
 * the message (for commands that also print a `--json` error event).
 */
export async function reportCommandError(
  stderr: NodeJS.WritableStream,
  error: unknown,
  connection: Pick<S3ConnectionOptions, 'profile' | 'region'>,
  debug: boolean,
): Promise<{ readonly code: number; readonly message: string }> {
  const explained = await explainCredentials(error, connection);
  const message = describeError(explained, debug);
  stderr.write(`s3kit: ${message}\n`);
  return { code: exitCodeForError(explained), message };
}
