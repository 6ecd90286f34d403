import { Command } from 'commander';
import { abortIncompleteUploads, escapeText, createS3Client, jsonFileStore, listIncompleteUploads, parseLocation, type S3Location } from 's3kit';
import type { CliContext } from '../context.js';
import { describeError } from '../describe-error.js';
import { exitCodeForError, ExitCode } from '../exit-codes.js';
import { formatBytes } from '../output/format.js';
import { addConnectionFlags, connectionOptions, stateFilePath, type ConnectionFlags } from '../sync-flags.js';
import { parseDurationSeconds } from '../values.js';

type UploadsFlags = ConnectionFlags & { stateFile?: string; json?: boolean; olderThan?: number; debug?: boolean };

function s3Location(url: string): S3Location {
  const location = parseLocation(url, 's3-url');
  if (location.kind !== 's3') throw new Error(`${url} is not an s3://bucket[/prefix] URL.`);
  return location;
}

/** `s3kit uploads list|abort`: incomplete multipart uploads. */
export function uploadsCommand(context: CliContext, setExitCode: (code: number) => void): Command {
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
        const ageHours = upload.initiated === undefined ? undefined : (Date.now() - upload.initiated.getTime()) / 3_600_000;
        if (flags.json === true) context.streams.stdout.write(`${JSON.stringify(upload)}\n`);
        else {
          context.streams.stdout.write(
            `${escapeText(upload.key)}  ${upload.parts} part(s), ${formatBytes(upload.bytes)}, started ${ageHours === undefined ? '?' : `${ageHours.toFixed(1)} h`} ago, ` +
              `${upload.resumable ? 'resumable by s3kit' : 'not resumable (no s3kit record)'}  [${upload.uploadId}]\n`,
          );
        }
      }
      if (flags.json !== true && count === 0) context.streams.stdout.write('No incomplete multipart uploads.\n');
      setExitCode(ExitCode.ok);
    } catch (error) {
      context.streams.stderr.write(`s3kit: ${describeError(error, flags.debug === true)}\n`);
      setExitCode(exitCodeForError(error));
    }
  });
  const abort = new Command('abort')
    .description('abort incomplete multipart uploads (those older than --older-than)')
    .argument('<s3-url>', 's3://bucket[/prefix]')
    .option('--older-than <duration>', 'only uploads started longer ago, e.g. 7d, 12h', parseDurationSeconds)
    .option('--state-file <path>', 'forget s3kit’s records of what is aborted in this state file')
    .option('--debug', 'print stack traces of errors');
  addConnectionFlags(abort).action(async (url: string, flags: UploadsFlags) => {
    try {
      const stateFile = stateFilePath(flags, context.env);
      const aborted = await abortIncompleteUploads(createS3Client(connectionOptions(flags, context.env)), s3Location(url), {
        olderThanMs: flags.olderThan === undefined ? undefined : flags.olderThan * 1000,
        state: stateFile === undefined ? undefined : jsonFileStore(stateFile),
        signal: context.signal,
      });
      for (const upload of aborted) context.streams.stdout.write(`aborted: ${escapeText(upload.key)} (${upload.parts} part(s), ${formatBytes(upload.bytes)})\n`);
      context.streams.stdout.write(`Aborted ${aborted.length} upload(s).\n`);
      setExitCode(ExitCode.ok);
    } catch (error) {
      context.streams.stderr.write(`s3kit: ${describeError(error, flags.debug === true)}\n`);
      setExitCode(exitCodeForError(error));
    }
  });
  return uploads
    .addCommand(list)
    .addCommand(abort)
    .addHelpText('after', '\nExamples:\n  s3kit uploads list s3://my-bucket\n  s3kit uploads abort s3://my-bucket/backups --older-than 7d');
}
