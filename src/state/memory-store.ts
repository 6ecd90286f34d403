import type { StateStore } from './state-store.js';

/**
 * A {@link StateStore} in memory, for tests and one-off runs. Values are copied in and out, so
 * callers never share objects with the store.
 * @public
 */
export function memoryStore(): StateStore {
  const values = new Map<string, string>();
  return {
    async get<T>(key: string) {
      const text = values.get(key);
      return text === undefined ? undefined : (JSON.parse(text) as T);
    },
    async set(key, value) {
      if (value === undefined) values.delete(key);
      else values.set(key, JSON.stringify(value));
    },
    async delete(key) {
      values.delete(key);
    },
    async keys(prefix = '') {
      return [...values.keys()].filter((key) => key.startsWith(prefix)).sort();
    },
    async update<T>(key: string, change: (current: T | undefined) => T | undefined) {
      const text = values.get(key);
      const next = change(text === undefined ? undefined : (JSON.parse(text) as T));
      if (next === undefined) values.delete(key);
      else values.set(key, JSON.stringify(next));
      return next;
    },
  };
}
