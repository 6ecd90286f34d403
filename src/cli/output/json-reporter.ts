import type { S3kitError, Syncer, SyncSummary } from 's3kit';
import type { CliStreams, Reporter } from './reporter.js';

/** `--json`: one JSON object per event on stdout and a final summary; nothing else. */
export class JsonReporter implements Reporter {
  readonly #streams: CliStreams;

  constructor(streams: CliStreams) {
    this.#streams = streams;
  }

  attach(syncer: Syncer): void {
    syncer.on('planned', ({ action }) => this.#write({ event: 'planned', action }));
    syncer.on('planComplete', ({ totals, deletesPlanned }) => this.#write({ event: 'planComplete', totals, deletesPlanned }));
    syncer.on('warning', (warning) => this.#write({ event: 'warning', ...warning }));
    syncer.on('transferStart', ({ action, method }) =>
      this.#write({ event: 'transferStart', type: action.type, key: action.key, size: action.source.size, method, storageClass: action.storageClass, storageClassRule: action.storageClassRule }),
    );
    syncer.on('progress', (progress) => this.#write({ event: 'progress', ...progress }));
    syncer.on('transferEnd', ({ action, method, why, durationMs, bytesSent, bytesResumed }) =>
      this.#write({
        event: 'transferEnd',
        type: action.type,
        key: action.key,
        size: action.source.size,
        method,
        storageClass: action.storageClass,
        storageClassRule: action.storageClassRule,
        why,
        durationMs: Math.round(durationMs),
        bytesSent,
        bytesResumed,
      }),
    );
    syncer.on('skipped', ({ action }) => this.#write({ event: 'skipped', key: action.key, reason: action.reason }));
    syncer.on('failed', ({ key, error }) => this.#write({ event: 'failed', key, ...errorFields(error) }));
    syncer.on('deleted', ({ key, target }) => this.#write({ event: 'deleted', key, size: target.size }));
    syncer.on('deletesSkipped', (skipped) => this.#write({ event: 'deletesSkipped', ...skipped }));
  }

  finish(summary: SyncSummary): void {
    this.#write({ event: 'summary', ...summary });
  }

  fatal(message: string): void {
    this.#write({ event: 'error', message });
    this.#streams.stderr.write(`s3kit: ${message}\n`);
  }

  #write(record: Record<string, unknown>): void {
    this.#streams.stdout.write(`${JSON.stringify(record)}\n`);
  }
}

function errorFields(error: S3kitError): Record<string, unknown> {
  const { operation, code } = error as Partial<{ operation: string; code: string }>;
  return { operation, code, message: error.message };
}
