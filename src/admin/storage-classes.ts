/**
 * The storage classes a lifecycle rule may move objects to, and AWS's documented rules about them
 * (Amazon S3 User Guide, "Transitioning objects using Amazon S3 Lifecycle" and "Constraints and
 * considerations for transitions"; API reference, `Transition`).
 */

/**
 * A storage class a lifecycle transition may name, in the order of AWS's "waterfall": a later
 * transition of a rule goes down it, never up.
 * @public
 */
export type TransitionStorageClass = 'STANDARD_IA' | 'INTELLIGENT_TIERING' | 'ONEZONE_IA' | 'GLACIER_IR' | 'GLACIER' | 'DEEP_ARCHIVE';

/** Every transition class, in waterfall order. */
export const TRANSITION_STORAGE_CLASSES: readonly TransitionStorageClass[] = [
  'STANDARD_IA',
  'INTELLIGENT_TIERING',
  'ONEZONE_IA',
  'GLACIER_IR',
  'GLACIER',
  'DEEP_ARCHIVE',
];

/**
 * Where objects in each class may go next (the User Guide's "supported lifecycle transitions").
 * The waterfall is not a plain order: One Zone-IA may not go to Glacier Instant Retrieval.
 */
const NEXT: Readonly<Record<TransitionStorageClass, readonly TransitionStorageClass[]>> = {
  STANDARD_IA: ['INTELLIGENT_TIERING', 'ONEZONE_IA', 'GLACIER_IR', 'GLACIER', 'DEEP_ARCHIVE'],
  INTELLIGENT_TIERING: ['ONEZONE_IA', 'GLACIER_IR', 'GLACIER', 'DEEP_ARCHIVE'],
  ONEZONE_IA: ['GLACIER', 'DEEP_ARCHIVE'],
  GLACIER_IR: ['GLACIER', 'DEEP_ARCHIVE'],
  GLACIER: ['DEEP_ARCHIVE'],
  DEEP_ARCHIVE: [],
};

/** True when lifecycle may move objects from `from` to `to`. */
export function canTransition(from: TransitionStorageClass, to: TransitionStorageClass): boolean {
  return NEXT[from].includes(to);
}

/** The classes objects in `from` may move to next, for a fix message. */
export function nextClasses(from: TransitionStorageClass): readonly TransitionStorageClass[] {
  return NEXT[from];
}

export function isTransitionStorageClass(value: unknown): value is TransitionStorageClass {
  return typeof value === 'string' && (TRANSITION_STORAGE_CLASSES as readonly string[]).includes(value);
}

/**
 * The fewest days a transition to these classes may name: S3 refuses a transition to an IA class
 * before objects are 30 days old (and versions 30 days noncurrent), because IA bills 30 days anyway.
 */
export const MINIMUM_TRANSITION_DAYS: Readonly<Partial<Record<TransitionStorageClass, number>>> = {
  STANDARD_IA: 30,
  ONEZONE_IA: 30,
};

/**
 * Minimum storage duration per class: an object moved out or deleted sooner is billed for the
 * whole minimum (S3 pricing, "minimum storage duration charge"). Leaving IA early by a later
 * transition is refused outright (30 days, see {@link MINIMUM_TRANSITION_DAYS}); leaving the
 * Glacier classes early is allowed but charged, so the validator warns.
 */
export const MINIMUM_STORAGE_DAYS: Readonly<Record<TransitionStorageClass, number>> = {
  STANDARD_IA: 30,
  INTELLIGENT_TIERING: 0,
  ONEZONE_IA: 30,
  GLACIER_IR: 90,
  GLACIER: 90,
  DEEP_ARCHIVE: 180,
};
