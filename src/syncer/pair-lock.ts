import { hostname } from 'node:os';
import { open, readFile, rm, stat } from 'node:fs/promises';
import { BisyncRefusedError } from '../core/errors.js';

/*
 * Two bisync runs on one pair must exclude each other: each plans from the same baseline, and two
 * sets of copies and deletes made from it would undo each other's work. The facade takes a
 * `PairLock` before it reads the baseline and releases it when the run settles. The local lock
 * below guards runs on one machine (and machines sharing the state directory); a lock held on
 * the S3 side itself (a lease object written with If-None-Match) can implement the same interface.
 */

/**
 * Mutual exclusion of bisync runs on one pair of locations.
 * @public
 */
export interface PairLock {
  /**
   * Takes the lock or rejects — with a `BisyncRefusedError` of reason `locked` when another run
   * holds it. Resolves to the function that releases it.
   */
  acquire(signal?: AbortSignal): Promise<() => Promise<void>>;
}

/** What a local lock file holds: who took it, where and when. */
interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
}

/** An unreadable lock file younger than this may be one being written right now. */
const UNWRITTEN_LOCK_GRACE_MS = 60_000;

/**
 * A lock file created with O_EXCL at `path`, holding the owner's pid, host name and start time.
 * A lock left by a process that is no longer running on this host (killed with -9, a crash) is
 * stale and taken over; one from another host is never broken automatically (the message names
 * the file to remove once that run is known to be over).
 * @public
 */
export function localPairLock(path: string): PairLock {
  return {
    async acquire() {
      for (let attempt = 0; attempt < 2; attempt++) {
        const owner: LockOwner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
        try {
          const handle = await open(path, 'wx');
          try {
            await handle.writeFile(`${JSON.stringify(owner)}\n`);
            await handle.sync();
          } finally {
            await handle.close();
          }
          return async () => {
            // Only our own lock is removed: a lock broken as stale and retaken by another run stays.
            const now = await readOwner(path);
            if (now !== undefined && now.pid === owner.pid && now.host === owner.host && now.startedAt === owner.startedAt) await rm(path, { force: true });
          };
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        }
        const holder = await readOwner(path);
        if (attempt === 0 && (await isStale(path, holder))) {
          // Residual race: two runs finding the same stale lock may both remove it; the O_EXCL
          // create that follows still lets only one of them in.
          await rm(path, { force: true });
          continue;
        }
        const who = holder === undefined ? 'another run' : `process ${holder.pid} on ${holder.host} since ${holder.startedAt}`;
        throw new BisyncRefusedError(
          'locked',
          `Another bisync of this pair is running (${who}; lock file ${path}). Wait for it to finish; if it is known to be over (a run on another machine that crashed), remove the lock file.`,
        );
      }
      throw new BisyncRefusedError('locked', `Cannot take the lock ${path}: another run took it over.`);
    },
  };
}

async function readOwner(path: string): Promise<LockOwner | undefined> {
  try {
    const owner = JSON.parse(await readFile(path, 'utf8')) as LockOwner;
    return typeof owner?.pid === 'number' && typeof owner.host === 'string' ? owner : undefined;
  } catch {
    return undefined;
  }
}

/** A lock whose process is gone from this host, or an empty one older than the grace period. */
async function isStale(path: string, holder: LockOwner | undefined): Promise<boolean> {
  if (holder === undefined) {
    const stats = await stat(path).catch(() => undefined);
    return stats !== undefined && Date.now() - stats.mtimeMs > UNWRITTEN_LOCK_GRACE_MS;
  }
  return holder.host === hostname() && processIsGone(holder.pid);
}

/** True when no process `pid` runs on this host (never for this process itself). */
export function processIsGone(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
