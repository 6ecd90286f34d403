/**
 * A small key–value store for run state (job history, later resumable uploads). Values are
 * JSON. Drivers implement the three required methods and may add the optional capabilities.
 * @public
 */
export interface StateStore {
  /** The value under `key`, or undefined. */
  get<T = unknown>(key: string): Promise<T | undefined>;
  /** Stores `value` (JSON-serialisable) under `key`. */
  set<T = unknown>(key: string, value: T): Promise<void>;
  /** Removes `key`; no error when it is absent. */
  delete(key: string): Promise<void>;
  /**
   * Optional: every key, or those starting with `prefix`, sorted.
   */
  keys?(prefix?: string): Promise<string[]>;
  /**
   * Optional: read-modify-write of one key as one step, safe against other writers (other
   * processes, for the JSON file driver). Without it, callers fall back to get + set.
   */
  update?<T = unknown>(key: string, change: (current: T | undefined) => T): Promise<T>;
  /** Optional: releases resources. */
  close?(): Promise<void>;
}

/**
 * Read-modify-write through the store's `update` when it has one, else get + set.
 * @public
 */
export async function updateState<T>(store: StateStore, key: string, change: (current: T | undefined) => T): Promise<T> {
  if (store.update !== undefined) return store.update<T>(key, change);
  const next = change(await store.get<T>(key));
  await store.set(key, next);
  return next;
}
