import { updateRecord } from '../core/update-record.js';

/**
 * A small key–value store for run state (job history, later resumable uploads). Values are
 * JSON. Drivers implement the three required methods and may add the optional capabilities.
 * @public
 */
export interface StateStore {
  /** The value under `key`, or undefined. */
  get<T = unknown>(key: string): Promise<T | undefined>;
  /** Stores `value` (JSON-serialisable) under `key`; undefined removes the key. */
  set<T = unknown>(key: string, value: T): Promise<void>;
  /** Removes `key`; no error when it is absent. */
  delete(key: string): Promise<void>;
  /**
   * Optional: every key, or those starting with `prefix`, sorted.
   */
  keys?(prefix?: string): Promise<string[]>;
  /**
   * Optional: read-modify-write of one key as one step, safe against other writers (other
   * processes, for the JSON file driver). Without it, callers fall back to get + set. When
   * `change` returns undefined the key is left absent (removed if it was there): a record that
   * vanished under a caller stays gone, and a caller can remove a record only if it still holds
   * what it expects.
   */
  update?<T = unknown>(key: string, change: (current: T | undefined) => T | undefined): Promise<T | undefined>;
  /** Optional: releases resources. */
  close?(): Promise<void>;
}

/**
 * Read-modify-write through the store's `update` when it has one, else get + set. A `change`
 * that returns undefined leaves the key absent.
 * @public
 */
export async function updateState<T>(store: StateStore, key: string, change: (current: T | undefined) => T): Promise<T>;
/** {@inheritDoc (updateState:1)} */
export async function updateState<T>(store: StateStore, key: string, change: (current: T | undefined) => T | undefined): Promise<T | undefined>;
export async function updateState<T>(store: StateStore, key: string, change: (current: T | undefined) => T | undefined): Promise<T | undefined> {
  return updateRecord(store, key, change);
}
