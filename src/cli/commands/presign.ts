import { Command } from 'commander';
import { createS3Client, parseS3ObjectUrl, presignUrl } from 's3kit';
import type { CliContext } from '../context.js';
import { reportCommandError } from '../describe-error.js';
import { ExitCode } from '../exit-codes.js';
import { addConnectionFlags, connectionOptions, type ConnectionFlags } from '../sync-flags.js';
import { parseExpires } from '../values.js';

const EXAMPLES = `
Examples:
  s3kit presign s3://my-bucket/reports/2024.pdf               # GET, valid 1 hour
  s3kit presign s3://my-bucket/uploads/in.zip --put --expires 15m
  curl -T in.zip "$(s3kit presign s3://my-bucket/uploads/in.zip --put)"`;

/** `s3kit presign <s3-url>`: prints a presigned URL. */
export function presignCommand(context: CliContext, setExitCode: (code: number) => void): Command {
  const command = new Command('presign')
    .description('print a presigned URL to download (or, with --put, upload) one object')
    .argument('<s3-url>', 's3://bucket/key')
    .option('--expires <duration>', 'how long the URL works: seconds or 90s, 15m, 1h, 7d (at most 7 days)', parseExpires, 3600)
    .option('--put', 'a URL for uploading (PUT) instead of downloading (GET)')
    .option('--debug', 'print stack traces of errors');
  addConnectionFlags(command);
  return command.addHelpText('after', EXAMPLES).action(async (url: string, flags: ConnectionFlags & { expires: number; put?: boolean; debug?: boolean }) => {
    try {
      const object = parseS3ObjectUrl(url, 's3-url');
      const client = createS3Client(connectionOptions(flags, context.env));
      const signed = await presignUrl(client, object, { expiresIn: flags.expires, method: flags.put === true ? 'PUT' : 'GET' });
      context.streams.stdout.write(`${signed}\n`);
      setExitCode(ExitCode.ok);
    } catch (error) {
      setExitCode((await reportCommandError(context.streams.stderr, error, connectionOptions(flags, context.env), flags.debug === true)).code);
    }
  });
}
