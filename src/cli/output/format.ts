import bytes from 'bytes-iec';
import { escapeText, type SyncSummary } from 's3kit';

/** `1536` → `1.5 KiB`. */
export function formatBytes(count: number): string {
  return bytes.format(count, { mode: 'binary', decimalPlaces: 1, unitSeparator: ' ' }) ?? `${count} B`;
}

/** `1234` → `1.2 s`, `75000` → `1 min 15 s`. */
export function formatDuration(milliseconds: number): string {
  if (milliseconds < 1000) return `${Math.round(milliseconds)} ms`;
  const seconds = milliseconds / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

/** An age for people: `45 s`, `3 min`, `5 h`, `2 days`. */
export function formatAge(milliseconds: number): string {
  const seconds = Math.max(0, Math.floor(milliseconds / 1000));
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 48 * 3600) return `${Math.floor(seconds / 3600)} h`;
  const days = Math.floor(seconds / 86_400);
  return `${days} days`;
}

/** The lines of the end-of-run summary, for people. */
export function summaryLines(summary: SyncSummary, verbs: { copied: string; updated: string }): string[] {
  const would = summary.dryRun ? ' (dry run: nothing was changed)' : '';
  // Older summaries (a plan file's, a library consumer's) may lack the field.
  const kept = summary.keptInTarget?.count ?? 0;
  const lines = [
    `${summary.aborted ? 'Interrupted' : 'Done'}${would}: ${summary.copied.count} ${verbs.copied} (${formatBytes(summary.copied.bytes)}), ` +
      `${summary.updated.count} ${verbs.updated} (${formatBytes(summary.updated.bytes)}), ` +
      `${summary.deleted.count} deleted, ${summary.skipped.count - kept} unchanged, ` +
      `${kept > 0 ? `${kept} kept in target (not in the source), ` : ''}${summary.failedCount} failed ` +
      `in ${formatDuration(summary.durationMs)}.`,
  ];
  const backedUp = summary.backedUp?.count ?? 0;
  if (backedUp > 0) lines.push(`Backed up first: ${backedUp} overwritten or deleted (${formatBytes(summary.backedUp.bytes)}).`);
  const resumed = summary.resumed?.count ?? 0;
  if (resumed > 0) lines.push(`Resumed: ${resumed} upload(s), ${formatBytes(summary.resumed.bytes)} kept from earlier runs (not sent again).`);
  const methods = Object.entries(summary.byMethod);
  if (methods.length > 0) lines.push(`Methods: ${methods.map(([method, count]) => `${count} ${method}`).join(', ')}; ${summary.requests} requests.`);
  // Only when something was copied: a no-op or a dry run has no savings to report.
  const copied = summary.copyStats === undefined ? 0 : summary.copyStats.serverSideBytes + summary.copyStats.streamedBytes;
  if (summary.copyStats !== undefined && !summary.dryRun && summary.copied.count + summary.updated.count > 0 && (copied > 0 || summary.copyStats.requestsAvoided > 0)) {
    const { serverSideBytes, streamedBytes, requestsAvoided } = summary.copyStats;
    lines.push(
      `Copied server-side: ${formatBytes(serverSideBytes)} (never through s3kit); streamed: ${formatBytes(streamedBytes)}; ` +
        `${requestsAvoided} requests avoided versus download + upload.`,
    );
  }
  const reasons = Object.entries(summary.skippedByReason);
  if (reasons.length > 0) lines.push(`Skipped: ${reasons.map(([reason, count]) => `${count} ${reason}`).join(', ')}.`);
  if (summary.deletesSkipped !== undefined) lines.push(`Deletes skipped: ${summary.deletesSkipped.message}`);
  if (summary.warningCount > 0) lines.push(`Warnings: ${summary.warningCount} (see above).`);
  if (summary.failedCount > 0) {
    lines.push(`Failures (${summary.failedCount}):`);
    for (const failure of summary.failures) lines.push(`  ${escapeText(failure.key)}: ${escapeText(failure.message)}`);
    if (summary.failedCount > summary.failures.length) lines.push(`  … and ${summary.failedCount - summary.failures.length} more`);
  }
  return lines;
}
