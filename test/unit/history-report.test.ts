import { describe, expect, it } from 'vitest';
import { memoryStore } from 's3kit';
import { historyCsv, readJobHistory, readJobRuns, reportHistory, RUNS_KEPT, type JobRunRecord } from 's3kit/jobs';
import { recordJobRun } from '../../src/jobs/run-history.js';

/** A job run that started `day` days after 2026-01-01 and lasted `ms`. */
function runOf(job: string, day: number, status: JobRunRecord['status'], ms = 1000, bytes = 10): JobRunRecord {
  const startedAt = new Date(Date.UTC(2026, 0, 1 + day));
  return {
    job,
    status,
    message: `${status}, "quoted", with a comma`,
    targetDate: startedAt.toISOString().slice(0, 10),
    startedAt: startedAt.toISOString(),
    endedAt: new Date(startedAt.getTime() + ms).toISOString(),
    durationMs: ms,
    source: '/src',
    target: 's3://b/p',
    counts: { copied: 2, updated: 1, deleted: 0, skipped: 5, failed: status === 'failure' ? 1 : 0 },
    bytes,
  };
}

describe('run history', () => {
  it('keeps the last RUNS_KEPT runs of each job, oldest first; totals keep counting', async () => {
    const store = memoryStore();
    for (let day = 0; day < RUNS_KEPT + 4; day++) await recordJobRun(store, runOf('nightly', day, 'success'));
    const runs = await readJobRuns(store, 'nightly');
    expect(runs).toHaveLength(RUNS_KEPT);
    expect(runs[0]?.startedAt).toBe(new Date(Date.UTC(2026, 0, 5)).toISOString());
    const report = await reportHistory(store, ['nightly'], { since: new Date(Date.UTC(2026, 11, 30)) });
    expect(report.runs.map((run) => run.startedAt.slice(0, 10))).toEqual(['2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02', '2027-01-03', '2027-01-04', '2027-01-05']);
    expect((await readJobHistory(store, ['nightly'])).jobs.get('nightly')?.totals.runs).toBe(RUNS_KEPT + 4);
  });

  it('summarises per job: success rate over runs that did not skip, durations, files and bytes', async () => {
    const store = memoryStore();
    await recordJobRun(store, runOf('a', 0, 'success', 1000, 100));
    await recordJobRun(store, runOf('a', 1, 'failure', 3000, 0));
    await recordJobRun(store, runOf('a', 2, 'skipped', 2000, 0));
    await recordJobRun(store, runOf('a', 3, 'success', 2000, 50));
    await recordJobRun(store, runOf('b', 1, 'skipped', 10, 0));
    const report = await reportHistory(store, ['a', 'b', 'never-ran']);
    expect(report.jobs.map(({ lastRun: _lastRun, ...rest }) => rest)).toEqual([
      { job: 'a', runs: 4, successes: 2, failures: 1, skipped: 1, successRate: 2 / 3, totalDurationMs: 8000, meanDurationMs: 2000, longestDurationMs: 3000, files: 12, bytes: 150 },
      { job: 'b', runs: 1, successes: 0, failures: 0, skipped: 1, successRate: undefined, totalDurationMs: 10, meanDurationMs: 10, longestDurationMs: 10, files: 3, bytes: 0 },
      { job: 'never-ran', runs: 0, successes: 0, failures: 0, skipped: 0, successRate: undefined, totalDurationMs: 0, meanDurationMs: undefined, longestDurationMs: undefined, files: 0, bytes: 0 },
    ]);
    // Runs of all jobs interleave by start.
    expect(report.runs.map((run) => `${run.job}${run.startedAt.slice(8, 10)}`)).toEqual(['a01', 'a02', 'b02', 'a03', 'a04']);
    const csv = historyCsv(report).trim().split('\n');
    expect(csv).toHaveLength(6);
    expect(csv[1]).toBe('a,2026-01-01T00:00:00.000Z,2026-01-01T00:00:01.000Z,success,1000,2,1,0,5,0,100,"success, ""quoted"", with a comma"');
  });
});
