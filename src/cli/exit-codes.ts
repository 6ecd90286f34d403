import { isS3kitError, type SyncSummary } from 's3kit';

/** The exit codes of the `s3kit` command, documented in `--help` and the README. */
export const ExitCode = {
  /** Everything done, or nothing to do. */
  ok: 0,
  /** Some transfers (or deletes) failed. */
  failures: 1,
  /** Usage or configuration error: bad flag, bad value, missing bucket, denied access, no credentials. */
  usage: 2,
  /** The delete phase was skipped (after errors, an unreadable source) or refused (`--max-delete`). */
  deletesSkipped: 3,
  /** Interrupted (Ctrl-C). */
  interrupted: 130,
} as const;

export const EXIT_CODES_HELP = `
Exit codes:
  0    success, including nothing to do
  1    some transfers or deletes failed (see the summary)
  2    usage or configuration error (unknown flag, bad value, missing bucket,
       access denied, unreachable endpoint, no credentials, out-of-date plan)
  3    the delete phase was skipped (after errors) or refused (--max-delete)
  130  interrupted (Ctrl-C); in-flight multipart uploads are aborted`;

/** The exit code for a finished run. */
export function exitCodeFor(summary: SyncSummary): number {
  if (summary.aborted) return ExitCode.interrupted;
  if (summary.deletesSkipped !== undefined) return ExitCode.deletesSkipped;
  return summary.failedCount > 0 ? ExitCode.failures : ExitCode.ok;
}

/** The exit code for an error that stopped a command. */
export function exitCodeForError(error: unknown): number {
  return isS3kitError(error) ? ExitCode.usage : ExitCode.failures;
}
