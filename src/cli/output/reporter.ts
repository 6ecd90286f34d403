import type { Syncer, SyncSummary } from 's3kit';

/** Turns a syncer's events into output; one implementation per output mode. */
export interface Reporter {
  /** Subscribes to the syncer's events. */
  attach(syncer: Syncer): void;
  /** Prints the end of a run. */
  finish(summary: SyncSummary): void;
  /** Prints an error that stopped the command. */
  fatal(message: string): void;
}

/** Where the CLI writes, and whether stdout is a terminal. */
export interface CliStreams {
  readonly stdout: NodeJS.WritableStream & { readonly isTTY?: boolean; readonly columns?: number };
  readonly stderr: NodeJS.WritableStream;
}
