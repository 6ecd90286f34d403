import { Command } from 'commander';
import { createChecker, escapeText, type CheckDifference, type CheckSummary, type ContentEvidence, type FilterRule } from 's3kit';
import type { CliContext } from '../context.js';
import { reportCommandError } from '../describe-error.js';
import { checkExitCode, ExitCode } from '../exit-codes.js';
import { formatBytes, formatDuration } from '../output/format.js';
import { parsePositiveInteger } from '../values.js';
import {
  addConnectionFlags,
  addFilterFlags,
  addSourceConnectionFlags,
  connectionOptions,
  sourceConnectionOf,
  type ConnectionFlags,
  type FilterFlags,
  type SyncFlags,
} from '../sync-flags.js';

const EXAMPLES = `
Examples:
  s3kit check ./site s3://my-bucket/www                  # after a sync: same keys, same contents?
  s3kit check s3://bucket-a/data s3://bucket-b/data --json
  s3kit check ./photos s3://archive/photos --exclude '*.tmp'`;

const CHECK_EXIT_CODES = `
Exit codes:
  0    both locations hold the same keys with contents proved equal
  1    a difference: a key on one side only, a size or content that differs,
       or a key whose contents could not be compared (never counted as equal)
  2    usage or configuration error (unknown flag, bad value, missing bucket,
       access denied, unreachable endpoint, no credentials)
  4    the S3 service failed after retries (5xx, throttling, timeouts, resets)
  130  interrupted by SIGINT (Ctrl-C); 143 by SIGTERM`;

type CheckFlags = FilterFlags &
  ConnectionFlags &
  Pick<SyncFlags, 'followSymlinks' | 'concurrency' | 'sourceEndpointUrl' | 'sourceRegion' | 'sourceProfile'> & { json?: boolean; debug?: boolean };

const EVIDENCE_WORDS: Record<ContentEvidence, string> = {
  md5: 'MD5',
  'multipart-etag': 'multipart ETag',
  etag: 'ETag',
  sha256: 'SHA-256',
  sha1: 'SHA-1',
};

/** `s3kit check <path1> <path2>`: compares contents, changes nothing. */
export function checkCommand(context: CliContext, setExitCode: (code: number) => void): Command {
  const rules: FilterRule[] = [];
  const command = new Command('check')
    .description('compare the contents of two locations (sizes, MD5s, ETags, checksums) and report every difference; changes nothing')
    .argument('<path1>', 'a local directory or s3://bucket/prefix')
    .argument('<path2>', 's3://bucket/prefix, or a local directory when path1 is in S3');
  addFilterFlags(command, rules);
  command
    .option('--follow-symlinks', 'follow symbolic links in a local directory (default)')
    .option('--no-follow-symlinks', 'skip symbolic links')
    .option('--concurrency <n>', 'keys compared at once (default 8)', parsePositiveInteger);
  addSourceConnectionFlags(command, {
    endpoint: 'endpoint of path1 when it is in S3 on another service',
    region: 'region of path1’s bucket',
    profile: 'profile for path1’s bucket',
  });
  addConnectionFlags(command);
  command
    .option('--json', 'print one JSON object per difference (and warning) and a final summary, nothing else, on stdout')
    .option('--debug', 'print stack traces of errors');
  return command.addHelpText('after', `${EXAMPLES}\n${CHECK_EXIT_CODES}`).action(async (path1: string, path2: string, flags: CheckFlags) => {
    const { stdout, stderr } = context.streams;
    const json = flags.json === true;
    const write = (record: Record<string, unknown>): void => {
      stdout.write(`${JSON.stringify(record)}\n`);
    };
    const connection = connectionOptions(flags, context.env);
    try {
      const checker = createChecker({
        path1,
        path2,
        ...connection,
        ...dropUndefined({
          rules: rules.length > 0 ? [...rules] : undefined,
          ignorePatternFiles: flags.ignoreFile !== undefined && flags.ignoreFile.length > 0 ? flags.ignoreFile : undefined,
          ignoreFileName: flags.ignoreFileName,
          ignoreCase: flags.ignoreCase,
          followSymlinks: flags.followSymlinks,
          concurrency: flags.concurrency,
          sourceConnection: sourceConnectionOf(flags),
        }),
      });
      checker.on('warning', (warning) => (json ? write({ event: 'warning', ...warning }) : stderr.write(`warning: ${escapeText(warning.message)}\n`)));
      checker.on('difference', (difference) => (json ? write({ event: 'difference', ...difference }) : stdout.write(`${differenceLine(difference)}\n`)));
      const summary = await checker.run({ signal: context.signal });
      if (json) write({ event: 'summary', ...summary });
      else stdout.write(`${summaryLine(summary)}\n`);
      setExitCode(checkExitCode(summary));
    } catch (error) {
      if (context.signal?.aborted === true) return setExitCode(ExitCode.interrupted);
      const { code, message } = await reportCommandError(stderr, error, connection, flags.debug === true);
      if (json) write({ event: 'error', message });
      setExitCode(code);
    }
  });
}

/** One line per difference: what, the size (path1's for keys on both sides), the key, why. */
function differenceLine(difference: CheckDifference): string {
  const key = escapeText(difference.key);
  switch (difference.type) {
    case 'only-in-path1':
      return `only in path1  ${formatBytes(difference.path1.size).padStart(11)}  ${key}`;
    case 'only-in-path2':
      return `only in path2  ${formatBytes(difference.path2.size).padStart(11)}  ${key}`;
    case 'differs':
      return difference.reason === 'size-differs'
        ? `differs        ${formatBytes(difference.path1.size).padStart(11)}  ${key}  (size: ${difference.path1.size} B in path1, ${difference.path2.size} B in path2)`
        : `differs        ${formatBytes(difference.path1.size).padStart(11)}  ${key}  (content: ${difference.evidence === undefined ? 'digest' : EVIDENCE_WORDS[difference.evidence]} differs)`;
    case 'cannot-compare':
      return `cannot compare ${formatBytes(difference.path1.size).padStart(11)}  ${key}  (${difference.reason}: ${escapeText(difference.message)})`;
  }
}

function summaryLine(summary: CheckSummary): string {
  const by = Object.entries(summary.equalBy).map(([evidence, count]) => `${count} by ${EVIDENCE_WORDS[evidence as ContentEvidence]}`);
  const verdict = summary.identical
    ? 'identical.'
    : summary.incompleteListing && summary.differ.count + summary.onlyInPath1.count + summary.onlyInPath2.count + summary.cannotCompare.count === 0
      ? 'not proved identical: a listing passed over something it could not read (see the warnings).'
      : 'the locations differ.';
  return (
    `Check: ${summary.equal.count} equal${by.length > 0 ? ` (${by.join(', ')})` : ''}, ` +
    `${summary.onlyInPath1.count} only in path1, ${summary.onlyInPath2.count} only in path2, ` +
    `${summary.differ.count} differ, ${summary.cannotCompare.count} could not be compared; ` +
    `${formatBytes(summary.bytesRead)} read, ${summary.requests} requests, in ${formatDuration(summary.durationMs)}: ${verdict}`
  );
}

function dropUndefined<T extends object>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T;
}
