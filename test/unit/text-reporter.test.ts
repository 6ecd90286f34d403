import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Syncer } from 's3kit';
import { describe, expect, it } from 'vitest';
import { TextReporter } from '../../src/cli/output/text-reporter.js';

const MiB = 1024 * 1024;
const naming = { verb: 'upload', past: 'uploaded', source: (key: string) => key, target: (key: string) => `s3://b/${key}` };

function stream(isTTY: boolean): { isTTY: boolean; columns: number; text: string; write(chunk: string): boolean; on(): void; removeListener(): void } {
  return {
    isTTY,
    columns: 80,
    text: '',
    write(chunk: string) {
      this.text += chunk;
      return true;
    },
    on() {},
    removeListener() {},
  };
}

const totals = (bytesDone: number, planComplete = true) => ({ filesPlanned: 151, bytesPlanned: 340 * MiB, planComplete, filesDone: 40, bytesDone });

describe('TextReporter progress', () => {
  it('the bar fits 80 columns with the rate and ETA on screen', async () => {
    const stdout = stream(true);
    const stderr = stream(false);
    const reporter = new TextReporter({ stdout, stderr } as never, { mode: 'lines', bar: true, color: false, dryRun: false, naming });
    const syncer = new EventEmitter();
    reporter.attach(syncer as unknown as Syncer);
    syncer.emit('planComplete', { totals: totals(0), deletesPlanned: 0 });
    for (let i = 1; i <= 5; i++) {
      syncer.emit('progress', { key: 'k', bytes: 46 * MiB, loaded: 46 * MiB * i, total: 340 * MiB, totals: totals(46 * MiB * i) });
      await sleep(120);
    }
    reporter.fatal('stop');
    // eslint-disable-next-line no-control-regex
    const lines = stdout.text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '\n').split(/[\r\n]+/).filter((line) => line.includes('%'));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line.length).toBeLessThanOrEqual(80);
      expect(line).toMatch(/\/s ETA \S+/);
    }
  });

  it('off a terminal, prints a plain progress line every interval', async () => {
    const stdout = stream(false);
    const reporter = new TextReporter({ stdout, stderr: stream(false) } as never, {
      mode: 'lines',
      bar: false,
      color: false,
      dryRun: false,
      naming,
      progressEveryMs: 50,
    });
    const syncer = new EventEmitter();
    reporter.attach(syncer as unknown as Syncer);
    syncer.emit('transferStart', { action: { type: 'copy', key: 'k' }, method: 'put' });
    syncer.emit('progress', { key: 'k', bytes: 230 * MiB, loaded: 230 * MiB, total: 340 * MiB, totals: totals(230 * MiB, false) });
    await sleep(180);
    reporter.fatal('stop');
    expect(stdout.text).toMatch(/^progress: 0\/151\+ files, 230 MiB \/ 340 MiB\+, [\d.]+ [KMG]?i?B\/s$/m);
    expect(stdout.text).not.toContain('\u001b');
  });
});
