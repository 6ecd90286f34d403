import type { BisyncSideName } from '../core/bisync.js';

/**
 * The name a conflict's losing version is kept under: `dir/report.pdf` →
 * `dir/report.conflict-path2-2026-11-22.pdf`, with `-2`, `-3`… after the date for the
 * `attempt`-th try when a name is taken. A name with no extension (or a dot file) gets the
 * suffix at its end. `day` is YYYY-MM-DD (UTC).
 */
export function conflictKey(key: string, side: BisyncSideName, day: string, attempt = 1): string {
  const slash = key.lastIndexOf('/');
  const directory = key.slice(0, slash + 1);
  const name = key.slice(slash + 1);
  const dot = name.lastIndexOf('.');
  const [stem, extension] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  const counter = attempt > 1 ? `-${attempt}` : '';
  return `${directory}${stem}.conflict-${side}-${day}${counter}${extension}`;
}
