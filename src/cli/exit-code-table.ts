// The exit codes alone, without the error classes exit-codes.ts tests against: main.ts and
// index.ts need them for every command, including `--version` and `--help`, which must not load
// the library (and the AWS SDK) to print a line.

/** The exit codes of the `s3kit` command, documented in `--help` and the README. */
export const ExitCode = {
  /** Everything done, or nothing to do. */
  ok: 0,
  /** Some transfers (or deletes) failed. */
  failures: 1,
  /** `check`: the locations differ, or a key could not be compared. */
  differences: 1,
  /** Usage or configuration error: bad flag, bad value, missing bucket, denied access, no credentials. */
  usage: 2,
  /** The delete phase was skipped (after errors, an unreadable source) or refused (`--max-delete`). */
  deletesSkipped: 3,
  /** The service failed, after retries: 5xx, throttling, timeouts, reset connections. Try again later. */
  serviceFailed: 4,
  /** Interrupted by SIGINT (Ctrl-C): 128 + 2. */
  interrupted: 130,
  /** Interrupted by SIGTERM: 128 + 15. */
  terminated: 143,
} as const;

export const EXIT_CODES_HELP = `
Exit codes:
  0    success, including nothing to do
  1    some transfers or deletes failed (see the summary); for check: the
       locations differ, or a key could not be compared
  2    usage or configuration error (unknown flag, bad value, missing bucket,
       access denied, unreachable endpoint, no credentials, out-of-date plan)
  3    the delete phase was skipped (after errors) or refused (--max-delete)
  4    the S3 service failed after retries (5xx, throttling, timeouts, resets):
       nothing is wrong with the command; try again later
  130  interrupted by SIGINT (Ctrl-C); 143 by SIGTERM. Multipart uploads and
       partly downloaded large files are kept for the next run to resume
       (aborted or removed with --no-resume); nothing half-written is left at
       a destination. A second signal, or 5 s without finishing, ends s3kit`;
