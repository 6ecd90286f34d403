import type { CliStreams } from './output/reporter.js';

/** Everything a command may touch of the outside world, so tests can run it in-process too. */
export interface CliContext {
  readonly streams: CliStreams;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where confirmations are read (default: `process.stdin`). */
  readonly stdin?: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  /** Aborted on Ctrl-C. */
  readonly signal?: AbortSignal;
}
