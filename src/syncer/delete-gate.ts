import type { DeletesSkippedReason } from '../core/events.js';
import { maxDeleteAllowance, type MaxDelete } from './max-delete.js';

/** What the facade knows when the transfers have settled and deletes are planned. */
export interface DeleteGateInput {
  /** Deletes the plan holds. */
  readonly planned: number;
  /** Deletes already carried out (non-zero only when the run was interrupted during the delete phase). */
  readonly done: number;
  /** Transfers that failed. */
  readonly failedCount: number;
  /** A listing warned that part of the source could not be read. */
  readonly incompleteListing: boolean;
  /** Keys the target held (for a percentage `maxDelete`). */
  readonly targetCount: number;
  /** Entries the source listed (after filters). */
  readonly sourceCount: number;
  readonly maxDelete: MaxDelete | undefined;
  readonly dryRun: boolean;
  /** The run was interrupted through its signal. */
  readonly aborted: boolean;
}

/** Whether the delete phase runs, and if not, why (with a sentence for people). */
export type DeleteVerdict =
  | { readonly run: false; readonly reason: 'nothing-to-delete' }
  | { readonly run: true; readonly dryRun: boolean }
  | { readonly run: false; readonly reason: DeletesSkippedReason; readonly count: number; readonly message: string };

/**
 * The delete policy, in one pure function: deletes run only after every transfer succeeded,
 * every listing was complete, within `maxDelete`, and never after an interruption. The checks
 * are in this order, so the summary names the first reason that applies.
 */
export function deleteGate(input: DeleteGateInput): DeleteVerdict {
  const { planned } = input;
  if (input.aborted) {
    const count = planned - input.done;
    if (count <= 0) return { run: false, reason: 'nothing-to-delete' };
    return { run: false, reason: 'aborted', count, message: 'The run was interrupted; no deletes were made after the interruption.' };
  }
  if (planned === 0) return { run: false, reason: 'nothing-to-delete' };
  if (input.failedCount > 0) {
    return { run: false, reason: 'failures', count: planned, message: `${planned} delete(s) skipped because ${input.failedCount} transfer(s) failed.` };
  }
  if (input.incompleteListing) {
    return { run: false, reason: 'incomplete-listing', count: planned, message: `${planned} delete(s) skipped because part of the source could not be read.` };
  }
  // An empty source is far more often an unmounted drive, a typo'd prefix or a failed mount than
  // a wish to empty the target: mirroring it would delete the only copy. Only an explicit
  // maxDelete (a limit the user chose) lets an empty source delete.
  if (input.sourceCount === 0 && input.maxDelete === undefined) {
    return {
      run: false,
      reason: 'empty-source',
      count: planned,
      message: `${planned} delete(s) refused: the source is empty (an unmounted drive, a wrong path or prefix?), and deleting every target key is not done without maxDelete (--max-delete 100% to mean it).`,
    };
  }
  if (input.maxDelete !== undefined) {
    const allowance = maxDeleteAllowance(input.maxDelete, input.targetCount);
    if (planned > allowance) {
      return {
        run: false,
        reason: 'max-delete',
        count: planned,
        message: `${planned} delete(s) refused: more than maxDelete ${String(input.maxDelete)} (${allowance} of ${input.targetCount} target keys).`,
      };
    }
  }
  return { run: true, dryRun: input.dryRun };
}
