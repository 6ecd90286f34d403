import { SpillQueue } from '../state/spill-queue.js';
import type { RestoreFailure } from './restore-types.js';
import { RestoreTally } from './restore-types.js';
import { verifyRestorePlan, type PlannedKey, type RestoreAction } from './restore-plan.js';
import { TaskPool } from './task-pool.js';

/** How one kind of restore (to a local directory, or in place) plans and carries out its actions. */
export interface RestoreRun {
  /** The fresh plan, in key order. */
  readonly plan: () => AsyncIterable<PlannedKey>;
  /** Carries out one action; throws when it fails. */
  readonly execute: (action: RestoreAction) => Promise<void>;
  /** The failure to record when `execute` threw. */
  readonly failureOf: (action: RestoreAction, error: unknown) => RestoreFailure;
  /**
   * Deletes wait until every restore succeeded (a local directory: a file is removed only once
   * nothing failed, as in a sync); in place, a delete only adds a delete marker and runs in turn.
   */
  readonly deleteLast: boolean;
  /** A saved plan that the fresh one must equal before anything runs. */
  readonly expectedPlan: AsyncIterable<RestoreAction> | undefined;
  readonly concurrency: number;
  readonly tally: RestoreTally;
  readonly signal: AbortSignal | undefined;
}

/**
 * Runs a restore: plans it, and executes each action as it is planned — or, given a saved plan,
 * only once the whole fresh plan was found equal to it (held meanwhile in a spill queue, so
 * memory stays flat): executing the first actions while a later one may still differ would
 * carry out part of a plan nobody reviewed. Failed keys are counted and the run goes on; a
 * signal stops it and rejects with its reason.
 */
export async function runRestore(run: RestoreRun): Promise<void> {
  const { tally, signal } = run;
  const pool = new TaskPool(run.concurrency);
  const held = run.expectedPlan === undefined ? undefined : new SpillQueue<RestoreAction>();
  const deletes = run.deleteLast ? new SpillQueue<RestoreAction>() : undefined;
  const one = async (action: RestoreAction): Promise<void> => {
    try {
      if (!tally.dryRun) await run.execute(action);
    } catch (error) {
      // A key stopped by the signal is not a failure of its own: the restore was cut short.
      if (signal?.aborted !== true) tally.fail(run.failureOf(action, error));
      return;
    }
    if (action.type === 'restore') {
      tally.restored++;
      tally.restoredBytes += action.version.size;
      const { versionId, size, lastModified } = action.version;
      tally.onEvent?.({ type: 'restore', key: action.key, versionId, size, lastModified: new Date(lastModified), dryRun: tally.dryRun });
    } else {
      tally.deleted++;
      tally.onEvent?.({ type: 'delete', key: action.key, dryRun: tally.dryRun });
    }
  };
  const dispatch = async (action: RestoreAction): Promise<void> => {
    if (deletes !== undefined && action.type === 'delete') await deletes.add(action);
    else await pool.add(() => one(action));
  };
  try {
    const planned = run.expectedPlan === undefined ? run.plan() : verifyRestorePlan(run.plan(), run.expectedPlan);
    for await (const key of planned) {
      signal?.throwIfAborted();
      if (key.type === 'unchanged') {
        tally.unchanged++;
        tally.onEvent?.({ type: 'unchanged', key: key.key, versionId: key.versionId });
      } else if (held !== undefined) await held.add(key);
      else await dispatch(key);
    }
    if (held !== undefined) for await (const action of held.items()) await dispatch(action);
    await pool.drain();
    signal?.throwIfAborted();
    if (deletes !== undefined && deletes.count > 0) {
      if (tally.failed > 0 && !tally.dryRun) tally.deletesSkipped = true;
      else for await (const action of deletes.items()) await one(action);
      signal?.throwIfAborted();
    }
  } catch (error) {
    // Transfers in flight end on the signal and remove their temp files before this settles.
    await pool.drain();
    throw signal?.aborted === true ? signal.reason : error;
  } finally {
    await held?.dispose();
    await deletes?.dispose();
  }
}
