/**
 * The part of a state store that a read-modify-write needs. `StateStore` (in `state/`) has this
 * shape; it is restated here so that rooms allowed only core values (transfer) can update
 * records through the interface, and the one implementation below serves them and
 * `updateState` alike.
 */
export interface RecordStore {
  get<T = unknown>(key: string): Promise<T | undefined>;
  set<T = unknown>(key: string, value: T): Promise<void>;
  delete(key: string): Promise<void>;
  update?<T = unknown>(key: string, change: (current: T | undefined) => T | undefined): Promise<T | undefined>;
}

/**
 * Read-modify-write through the store's `update` when it has one, else get + set. A `change`
 * that returns undefined leaves the key absent.
 */
export async function updateRecord<T>(store: RecordStore, key: string, change: (current: T | undefined) => T | undefined): Promise<T | undefined> {
  if (store.update !== undefined) return store.update<T>(key, change);
  const next = change(await store.get<T>(key));
  if (next === undefined) await store.delete(key);
  else await store.set(key, next);
  return next;
}
