import cliProgress from 'cli-progress';
import { createColors } from 'picocolors';
import { escapeText, type Action, type Entry, type ProgressTotals, type Syncer, type SyncSummary } from 's3kit';
import { inFlagWords } from '../describe-error.js';
import { formatBytes, summaryLines } from './format.js';
import type { CliStreams, Reporter } from './reporter.js';

/** How keys are shown: `upload: site/a.txt to s3://bucket/www/a.txt`, as aws-cli prints them. */
export interface Naming {
  /** `upload`, `download` or `copy`. */
  readonly verb: string;
  /** `uploaded`, `downloaded` or `copied`, for the summary. */
  readonly past: string;
  readonly source: (key: string, entry?: Entry) => string;
  readonly target: (key: string) => string;
}

/** Options of {@link TextReporter}. */
export interface TextReporterOptions {
  /** `lines`: a line per transfer and the summary; `errors`: warnings and errors only; `quiet`: errors only. */
  readonly mode: 'lines' | 'errors' | 'quiet';
  /** A live progress bar (stdout must be a terminal). */
  readonly bar: boolean;
  readonly color: boolean;
  readonly dryRun: boolean;
  readonly naming: Naming;
  /**
   * Off a terminal, print a progress line this often while transferring (log-friendly: one
   * plain line, no control codes). Undefined: none.
   */
  readonly progressEveryMs?: number;
}

/** Widths of the bar's text around the bar itself, at their widest ("100% 9999/9999 files …"). */
const BAR_TEXT_WIDTH = 64;

/** Output for people: plain lines (no control codes off a terminal), a progress bar on one. */
export class TextReporter implements Reporter {
  readonly #streams: CliStreams;
  readonly #options: TextReporterOptions;
  readonly #colors: ReturnType<typeof createColors>;
  #bars: cliProgress.MultiBar | undefined;
  #bar: cliProgress.SingleBar | undefined;
  #compared = 0;
  #filesTotal = 0;
  #filesDone = 0;
  #started = performance.now();
  #latest: ProgressTotals | undefined;
  #ticker: NodeJS.Timeout | undefined;

  constructor(streams: CliStreams, options: TextReporterOptions) {
    this.#streams = streams;
    this.#options = options;
    this.#colors = createColors(options.color);
  }

  attach(syncer: Syncer): void {
    const { naming, mode, dryRun } = this.#options;
    const c = this.#colors;
    const lines = mode === 'lines';
    syncer.on('planned', ({ action }) => {
      this.#compared++;
      if (dryRun && lines && action.type !== 'skip') this.#out(`(dryrun) ${this.#describe(action)}`);
      if (this.#options.bar && this.#bar === undefined) this.#showPlanning();
      if (this.#bar !== undefined && this.#filesTotal === 0) this.#bar.update(0, { compared: this.#compared });
    });
    syncer.on('planComplete', ({ totals }) => {
      this.#filesTotal = totals.filesPlanned;
      if (this.#options.bar && !dryRun && totals.filesPlanned > 0) this.#showTransfers(totals.bytesPlanned);
      else this.#stopBars();
    });
    syncer.on('progress', ({ totals }) => {
      this.#latest = totals;
      this.#updateTransfers(totals.bytesDone);
    });
    syncer.on('transferStart', () => this.#startTicker());
    syncer.on('transferEnd', ({ action, totals, bytesSent, bytesResumed }) => {
      this.#latest = totals;
      this.#filesDone++;
      this.#updateTransfers(totals.bytesDone);
      const resumed = bytesResumed === undefined ? '' : ` (resumed: ${formatBytes(bytesResumed)} kept from an earlier run, ${formatBytes(bytesSent)} sent)`;
      if (lines) this.#out(`${this.#describe(action)}${resumed}`);
    });
    syncer.on('deleted', ({ key }) => lines && this.#out(`delete: ${naming.target(key)}`));
    syncer.on('failed', ({ key, action, error }) => {
      this.#filesDone += action === undefined ? 0 : 1;
      const source = action !== undefined && action.type !== 'delete' ? action.source : undefined;
      const what = action === undefined ? `delete failed: ${naming.target(key)}` : `${naming.verb} failed: ${naming.source(key, source)} to ${naming.target(key)}`;
      this.#err(c.red(`${what}: ${inFlagWords(escapeText(error.message))}`));
    });
    syncer.on('warning', ({ message }) => mode !== 'quiet' && this.#err(c.yellow(`warning: ${escapeText(message)}`)));
    syncer.on('deletesSkipped', ({ message }) => mode !== 'quiet' && this.#err(c.yellow(escapeText(message))));
  }

  finish(summary: SyncSummary): void {
    this.#stopTicker();
    this.#stopBars();
    if (this.#options.mode !== 'lines') return;
    const [first, ...rest] = summaryLines(summary, { copied: this.#options.naming.past, updated: 'updated' });
    this.#streams.stdout.write(`${this.#colors.bold(first!)}\n`);
    for (const line of rest) this.#streams.stdout.write(`${line}\n`);
  }

  fatal(message: string): void {
    this.#stopTicker();
    this.#stopBars();
    this.#streams.stderr.write(`${this.#colors.red(`s3kit: ${message}`)}\n`);
  }

  #describe(action: Action): string {
    const { naming } = this.#options;
    if (action.type === 'delete') return `delete: ${naming.target(action.key)}`;
    return `${naming.verb}: ${naming.source(action.key, action.source)} to ${naming.target(action.key)}`;
  }

  #showPlanning(): void {
    this.#bars = new cliProgress.MultiBar(
      { stream: this.#streams.stdout, hideCursor: true, clearOnComplete: true, fps: 10, format: 'planning… {compared} keys compared' },
      cliProgress.Presets.shades_classic,
    );
    this.#bar = this.#bars.create(0, 0, { compared: 0 });
  }

  #showTransfers(totalBytes: number): void {
    this.#stopBars();
    this.#started = performance.now();
    this.#bars = new cliProgress.MultiBar(
      {
        stream: this.#streams.stdout,
        hideCursor: true,
        clearOnComplete: false,
        fps: 10,
        format: '{bar} {percentage}% {files} files {sent}/{size} {rate}/s ETA {eta_formatted}',
        // cli-progress cuts lines at the terminal's width; a bar sized to what is left keeps
        // the rate and ETA on screen (80 columns: a 16-column bar).
        barsize: Math.min(40, Math.max(10, (this.#streams.stdout.columns ?? 80) - BAR_TEXT_WIDTH)),
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    this.#bar = this.#bars.create(Math.max(totalBytes, 1), 0, this.#payload(0, totalBytes));
  }

  #updateTransfers(bytesDone: number): void {
    if (this.#bar === undefined || this.#filesTotal === 0) return;
    this.#bar.update(bytesDone, this.#payload(bytesDone, this.#bar.getTotal()));
  }

  #payload(bytesDone: number, totalBytes: number): Record<string, string> {
    const seconds = Math.max((performance.now() - this.#started) / 1000, 0.001);
    return {
      files: `${this.#filesDone}/${this.#filesTotal}`,
      sent: formatBytes(bytesDone),
      size: formatBytes(totalBytes),
      rate: formatBytes(bytesDone / seconds),
    };
  }

  /** Off a terminal: a plain progress line every `progressEveryMs` while transfers run. */
  #startTicker(): void {
    const every = this.#options.progressEveryMs;
    if (every === undefined || this.#ticker !== undefined || this.#options.bar) return;
    this.#started = performance.now();
    this.#ticker = setInterval(() => this.#out(this.#progressLine()), every);
    this.#ticker.unref();
  }

  #stopTicker(): void {
    clearInterval(this.#ticker);
  }

  /** `progress: 40/151 files, 230 MiB / 340 MiB, 138 MiB/s` (`151+` while still planning). */
  #progressLine(): string {
    const totals = this.#latest;
    const done = totals?.bytesDone ?? 0;
    const planned = totals?.bytesPlanned ?? 0;
    const more = totals?.planComplete === true ? '' : '+';
    const seconds = Math.max((performance.now() - this.#started) / 1000, 0.001);
    return (
      `progress: ${this.#filesDone}/${totals?.filesPlanned ?? '?'}${more} files, ${formatBytes(done)} / ${formatBytes(planned)}${more}, ` +
      `${formatBytes(done / seconds)}/s`
    );
  }

  #stopBars(): void {
    this.#bars?.stop();
    this.#bars = undefined;
    this.#bar = undefined;
  }

  #out(line: string): void {
    if (this.#bars !== undefined) this.#bars.log(`${line}\n`);
    else this.#streams.stdout.write(`${line}\n`);
  }

  #err(line: string): void {
    if (this.#bars !== undefined) this.#bars.log(`${line}\n`);
    else this.#streams.stderr.write(`${line}\n`);
  }
}
