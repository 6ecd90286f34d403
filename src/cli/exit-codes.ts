import { BisyncRefusedError, isS3kitError, ListingError, TransferError, type CheckSummary, type SyncSummary } from 's3kit';
import { BucketRequestError } from 's3kit/admin';
import { ExitCode } from './exit-code-table.js';

export { EXIT_CODES_HELP, ExitCode } from './exit-code-table.js';

/** The exit code for a finished run. */
export function exitCodeFor(summary: SyncSummary): number {
  if (summary.aborted) return ExitCode.interrupted;
  if (summary.deletesSkipped !== undefined) return ExitCode.deletesSkipped;
  return summary.failedCount > 0 ? ExitCode.failures : ExitCode.ok;
}

/** The exit code of `check`: 0 only when both locations were proved to hold the same keys and contents. */
export function checkExitCode(summary: CheckSummary): number {
  return summary.identical ? ExitCode.ok : ExitCode.differences;
}

/** The exit code for an error that stopped a command. */
export function exitCodeForError(error: unknown): number {
  if (isTransient(error)) return ExitCode.serviceFailed;
  // A bisync stopped half-way (its S3 lock taken over) did part of its work: a failure that the
  // next run finishes, not a usage error.
  if (error instanceof BisyncRefusedError && error.reason === 'lock-lost') return ExitCode.failures;
  return isS3kitError(error) ? ExitCode.usage : ExitCode.failures;
}

/** A failure of the service rather than of the request: the same command may work later. */
function isTransient(error: unknown): boolean {
  return (error instanceof ListingError || error instanceof TransferError || error instanceof BucketRequestError) && error.retryable;
}
