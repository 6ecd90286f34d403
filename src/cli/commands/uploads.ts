import { createInterface } from 'node:readline/promises';
import { Command, Option } from 'commander';
import {
  abortIncompleteUploads,
  ConfigError,
  escapeText,
  createS3Client,
  jsonFileStore,
  listIncompleteUploads,
  parseLocation,
  type IncompleteUpload,
  type S3Location,
} from 's3kit';
import type { CliContext } from '../context.js';
import { reportCommandError } from '../describe-error.js';
import { ExitCode } from '../exit-codes.js';
import { formatAge, formatBytes } from '../output/format.js';
import { addConnectionFlags, connectionOptions, stateFilePath, type ConnectionFlags } from '../sync-flags.js';
import { parseDurationSeconds } from '../values.js';

type UploadsFlags = ConnectionFlags & {
  stateFile?: string;
  json?: boolean;
  olderThan?: number;
  debug?: boolean;
  dryrun?: boolean;
  yes?: boolean;
};

function s3Location(url: string): S3Location {
  const location = parseLocation(url, 's3-url');
  if (location.kind !== 's3') throw new ConfigError('s3-url', `${url} is not an s3://bucket[/prefix] URL.`);
  return location;
}

function age(upload: IncompleteUpload): string {
  return upload.initiated === undefined ? 'at an unknown time' : `${formatAge(Date.now() - upload.initiated.getTime())} ago`;
}

/** `s3kit uploads list|abort`: incomplete multipart uploads. */
export function uploadsCommand(context: CliContext, setExitCode: (code: number) => void): Command {
  const { stdout, stderr } = context.streams;
  const uploads = new Command('uploads').description('list or abort incomplete multipart uploads (billed until completed or aborted)');
  const list = new Command('list')
    .description('list incomplete multipart uploads: age, size so far, whether s3kit can resume them')
    .argument('<s3-url>', 's3://bucket[/prefix]')
    .option('--state-file <path>', 'the state file s3kit records uploads in (default: $XDG_STATE_HOME/s3kit/state.json)')
    .option('--json', 'one JSON object per upload')
    .option('--debug', 'print stack traces of errors');
  addConnectionFlags(list).action(async (url: string, flags: UploadsFlags) => {
    try {
      const location = s3Location(url);
      const stateFile = stateFilePath(flags, context.env);
      const state = stateFile === undefined ? undefined : jsonFileStore(stateFile);
      let count = 0;
      for await (const upload of listIncompleteUploads(createS3Client(connectionOptions(flags, context.env)), location, { state, signal: context.signal })) {
        count++;
        if (flags.json === true) stdout.write(`${JSON.stringify(upload)}\n`);
        else {
          stdout.write(
            `${escapeText(upload.key)}  ${upload.parts} part(s), ${formatBytes(upload.bytes)}, started ${age(upload)}, ` +
              `${upload.resumable ? 'resumable by s3kit' : 'not resumable (no s3kit record)'}  [${upload.uploadId}]\n`,
          );
        }
      }
      if (flags.json !== true && count === 0) stdout.write('No incomplete multipart uploads.\n');
      setExitCode(ExitCode.ok);
    } catch (error) {
      setExitCode((await reportCommandError(stderr, error, connectionOptions(flags, context.env), flags.debug === true)).code);
    }
  });
  const abort = new Command('abort')
    .description('abort incomplete multipart uploads (those older than --older-than); without --older-than, asks first')
    .argument('<s3-url>', 's3://bucket[/prefix]')
    .option('--older-than <duration>', 'only uploads started longer ago, e.g. 7d, 12h', parseDurationSeconds)
    .option('--dryrun', 'show what would be aborted, abort nothing')
    .addOption(new Option('--dry-run', 'same as --dryrun').implies({ dryrun: true }))
    .option('-y, --yes', 'do not ask: abort every matching upload (needed off a terminal without --older-than)')
    .addOption(new Option('--force', 'same as --yes').implies({ yes: true }))
    .option('--json', 'one JSON object per upload aborted (or, with --dryrun, to be aborted)')
    .option('--state-file <path>', 'forget s3kit’s records of what is aborted in this state file')
    .option('--debug', 'print stack traces of errors');
  addConnectionFlags(abort).action(async (url: string, flags: UploadsFlags) => {
    try {
      const location = s3Location(url);
      const client = createS3Client(connectionOptions(flags, context.env));
      const stateFile = stateFilePath(flags, context.env);
      const state = stateFile === undefined ? undefined : jsonFileStore(stateFile);
      let olderThanMs = flags.olderThan === undefined ? undefined : flags.olderThan * 1000;
      const dryRun = flags.dryrun === true;
      const print = (upload: IncompleteUpload): void => {
        if (flags.json === true) stdout.write(`${JSON.stringify({ ...upload, aborted: !dryRun })}\n`);
        else stdout.write(`${dryRun ? '(dryrun) ' : ''}aborted: ${escapeText(upload.key)} (${upload.parts} part(s), ${formatBytes(upload.bytes)}, started ${age(upload)})\n`);
      };
      if (dryRun || (olderThanMs === undefined && flags.yes !== true)) {
        // Uploads started within the filter, as they are now: what --dryrun shows and what a
        // confirmation is asked for.
        const listedAt = Date.now();
        const matching: IncompleteUpload[] = [];
        for await (const upload of listIncompleteUploads(client, location, { state, signal: context.signal })) {
          if (olderThanMs === undefined || (upload.initiated?.getTime() ?? 0) <= listedAt - olderThanMs) matching.push(upload);
        }
        if (dryRun) {
          for (const upload of matching) print(upload);
          if (flags.json !== true) stdout.write(`Would abort ${matching.length} upload(s) (dry run: nothing was changed).\n`);
          setExitCode(ExitCode.ok);
          return;
        }
        if (matching.length === 0) {
          if (flags.json !== true) stdout.write('Aborted 0 upload(s).\n');
          setExitCode(ExitCode.ok);
          return;
        }
        const question =
          `Abort all ${matching.length} incomplete upload(s) under ${escapeText(url)} (${formatBytes(matching.reduce((sum, u) => sum + u.bytes, 0))} in parts)? ` +
          'An upload still in progress (another s3kit or tool) would fail. [y/N] ';
        const stdin = context.stdin ?? process.stdin;
        if (stdin.isTTY !== true) {
          stderr.write(
            `s3kit: uploads abort without --older-than would abort all ${matching.length} upload(s) under ${escapeText(url)}, including any still in progress; ` +
              'pass --yes to do so without asking, or --older-than (e.g. 7d) to keep recent ones.\n',
          );
          setExitCode(ExitCode.usage);
          return;
        }
        const prompt = createInterface({ input: stdin, output: stderr });
        const answer = await prompt.question(question, { signal: context.signal }).finally(() => prompt.close());
        if (!/^y(es)?$/i.test(answer.trim())) {
          stderr.write('s3kit: nothing aborted.\n');
          setExitCode(ExitCode.ok);
          return;
        }
        // Exactly what was shown: uploads started before the listing, not ones begun since.
        olderThanMs = Date.now() - listedAt;
      }
      const aborted = await abortIncompleteUploads(client, location, { olderThanMs, state, signal: context.signal });
      for (const upload of aborted) print(upload);
      if (flags.json !== true) stdout.write(`Aborted ${aborted.length} upload(s).\n`);
      setExitCode(ExitCode.ok);
    } catch (error) {
      setExitCode((await reportCommandError(stderr, error, connectionOptions(flags, context.env), flags.debug === true)).code);
    }
  });
  return uploads
    .addCommand(list)
    .addCommand(abort)
    .addHelpText(
      'after',
      '\nExamples:\n  s3kit uploads list s3://my-bucket\n  s3kit uploads abort s3://my-bucket/backups --older-than 7d\n' +
        '  s3kit uploads abort s3://my-bucket --dryrun\n  s3kit uploads abort s3://my-bucket --yes          # every upload, without asking',
    );
}
