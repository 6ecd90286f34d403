import type { Entry } from './entry.js';

/**
 * Why a comparator judged two entries equal or different.
 * @public
 */
export type VerdictReason =
  | 'size-differs'
  | 'source-newer'
  | 'target-not-older'
  | 'mtime-equal'
  | 'mtime-differs'
  | 'size-equal'
  | 'checksum-equal'
  | 'checksum-differs';

/**
 * A comparator's answer: whether the target already holds the source's content, and why.
 * @public
 */
export interface Verdict {
  /** True when no transfer is needed. */
  readonly equal: boolean;
  /** Why. */
  readonly reason: VerdictReason;
}

/**
 * Why the planner chose an action.
 * @public
 */
export type ActionReason =
  | VerdictReason
  /** The key exists in the source only. */
  | 'missing-in-target'
  /** The key exists in the target only (and deletes were asked for). */
  | 'missing-in-source'
  /** The key exists in the target only; deletes were not asked for. */
  | 'delete-not-requested'
  /** The target key is excluded by a filter (deleted only with `deleteExcluded`). */
  | 'excluded';

/**
 * The storage class chosen for a copy or update into S3 by `storageClassRules`: set only when
 * the sync has such rules.
 * @public
 */
export interface StorageChoice {
  /** The class the object is written in; absent when neither a rule nor `upload.storageClass` names one. */
  readonly storageClass?: string;
  /** The index in `storageClassRules` of the rule that chose it; absent when none matched (the fallback). */
  readonly storageClassRule?: number;
}

/**
 * One decision of the planner. `copy` creates a key the target lacks, `update` replaces a
 * different one, `delete` removes a target key the source lacks, `skip` leaves a key alone.
 * How a copy is carried out (put, multipart upload...) is the transfer manager's choice.
 * @public
 */
export type Action =
  | ({ readonly type: 'copy'; readonly key: string; readonly reason: ActionReason; readonly source: Entry } & StorageChoice)
  | ({
      readonly type: 'update';
      readonly key: string;
      readonly reason: ActionReason;
      readonly source: Entry;
      readonly target: Entry;
    } & StorageChoice)
  | { readonly type: 'delete'; readonly key: string; readonly reason: ActionReason; readonly target: Entry }
  | {
      readonly type: 'skip';
      readonly key: string;
      readonly reason: ActionReason;
      readonly source?: Entry;
      readonly target?: Entry;
    };

/**
 * The kinds of {@link Action}.
 * @public
 */
export type ActionType = Action['type'];
