import { appendFile, mkdir, readdir, rm, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { escapeText } from '../core/escape.js';

/** Log files are named for their month. */
const LOG_FILE = /^s3kit-(\d{4})-(\d{2})\.log$/;

/**
 * Log levels of job logs.
 * @public
 */
export type LogLevel = 'INFO' | 'WARN' | 'ERROR';

/**
 * The job log: one file per month (`s3kit-YYYY-MM.log`) of structured lines
 * (`time level [job] message`). s3kit writes only messages it composes — never options,
 * environment or credentials.
 * @public
 */
export class JobLog {
  /** Where the monthly log files live. */
  readonly directory: string;
  readonly #now: () => Date;

  /** @param directory - where the monthly files live; `now` is for tests */
  constructor(directory: string, now: () => Date = () => new Date()) {
    this.directory = directory;
    this.#now = now;
  }

  /** Appends one line. */
  async write(level: LogLevel, job: string | undefined, message: string): Promise<void> {
    const time = this.#now();
    const file = join(this.directory, `s3kit-${time.toISOString().slice(0, 7)}.log`);
    const line = `${time.toISOString()} ${level.padEnd(5)} ${job === undefined ? '' : `[${job}] `}${escapeText(message.replace(/\r?\n/g, ' '))}\n`;
    await mkdir(this.directory, { recursive: true });
    await appendFile(file, line);
  }

  /** Deletes monthly files older than `months` full months; returns the files removed. */
  async applyRetention(months: number): Promise<string[]> {
    const now = this.#now();
    const oldest = now.getUTCFullYear() * 12 + now.getUTCMonth() - months;
    return this.#remove((year, month) => year * 12 + (month - 1) < oldest);
  }

  /**
   * `s3kit clear-logs`: deletes log files last written more than `keepDays` days ago (all of
   * them with 0). With `removeDirectory`, also removes the directory if it is then empty: the
   * directory is a setting (`logDirectory: .` is the config's own directory), so only files named
   * like s3kit's logs are ever deleted, and a directory that holds anything else is kept.
   * Returns the files removed.
   */
  async clear(options: { readonly keepDays?: number; readonly removeDirectory?: boolean } = {}): Promise<string[]> {
    const cutoff = this.#now().getTime() - (options.keepDays ?? 0) * 86_400_000;
    const removed: string[] = [];
    for (const name of await this.#files()) {
      const path = join(this.directory, name);
      if (options.keepDays === undefined || options.keepDays === 0 || (await stat(path)).mtimeMs < cutoff) {
        await rm(path, { force: true });
        removed.push(name);
      }
    }
    if (options.removeDirectory === true) {
      try {
        await rmdir(this.directory);
      } catch (error) {
        // Not empty: it holds files that are not s3kit's logs, which are not ours to delete.
        // ENOTDIR: the setting names a symbolic link, which is kept as well.
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' && code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'ENOTDIR') throw error;
      }
    }
    return removed;
  }

  async #remove(isOld: (year: number, month: number) => boolean): Promise<string[]> {
    const removed: string[] = [];
    for (const name of await this.#files()) {
      const [, year, month] = LOG_FILE.exec(name)!;
      if (isOld(Number(year), Number(month))) {
        await rm(join(this.directory, name), { force: true });
        removed.push(name);
      }
    }
    return removed;
  }

  async #files(): Promise<string[]> {
    try {
      // Regular files only: a directory or a link that merely has a log's name is not ours.
      return (await readdir(this.directory, { withFileTypes: true }))
        .filter((entry) => entry.isFile() && LOG_FILE.test(entry.name))
        .map((entry) => entry.name)
        .sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }
}
