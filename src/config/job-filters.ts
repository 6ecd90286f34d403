import type { SyncOptions } from '../syncer/options.js';
import type { JobConfig, ParsedConfig } from './config-schema.js';

/**
 * A job's filters as sync options: the defaults' and the job's `exclude` patterns, then its
 * `include` patterns (aws-cli rules, so the includes win), and its gitignore settings. One place,
 * so that the run and the config's overlap check judge keys by the same rules.
 */
export function jobFilterOptions(job: JobConfig, defaults: ParsedConfig['defaults']): Pick<SyncOptions, 'rules' | 'ignorePatterns' | 'ignoreFileName'> {
  const filters = job.filters ?? {};
  return {
    rules: [
      ...[...defaults.exclude, ...(filters.exclude ?? [])].map((pattern) => ({ type: 'exclude' as const, pattern })),
      ...(filters.include ?? []).map((pattern) => ({ type: 'include' as const, pattern })),
    ],
    ignorePatterns: filters.ignorePatterns,
    ignoreFileName: filters.ignoreFileName,
  };
}
