import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type Command, InvalidArgumentError, Option } from 'commander';
// From the root, not s3kit/jobs: loading the jobs entry point (yaml, zod) would slow every sync's start.
import { createRedactor, sseCustomerKeyForms, type SseCustomerKey } from 's3kit';
import type { CliContext } from './context.js';

/*
 * SSE-C flags, spelled as aws-cli's: `--sse-c [AES256] --sse-c-key VALUE` for the objects written
 * or read, `--sse-c-copy-source [AES256] --sse-c-copy-source-key VALUE` for the source objects of
 * an S3 → S3 sync. VALUE is `fileb://path` (the key's 32 bytes), `file://path` (text) or the key
 * itself as text. The key never reaches a plan file: a plan records the key's MD5 so that `apply`
 * can insist on the same key.
 */

/** The SSE-C flags as commander parses them. */
export interface SseCFlags {
  readonly sseC?: string | true;
  readonly sseCKey?: string;
  readonly sseCCopySource?: string | true;
  readonly sseCCopySourceKey?: string;
}

/** What the SSE-C flags give a syncer. */
export interface SseCOptions {
  readonly sseCustomerKey?: SseCustomerKey;
  readonly copySourceSseCustomerKey?: SseCustomerKey;
}

/** Adds `--sse-c`, `--sse-c-key`, `--sse-c-copy-source` and `--sse-c-copy-source-key`. */
export function addSseCFlags(command: Command): Command {
  return command
    .addOption(new Option('--sse-c [algorithm]', 'SSE-C: encrypt uploads and copies, decrypt downloads with --sse-c-key (AES256, the default when given alone)').choices(['AES256']))
    .option('--sse-c-key <key>', 'the SSE-C key: fileb://key.bin (32 bytes), file://key.txt or the key itself; never printed')
    .addOption(new Option('--sse-c-copy-source [algorithm]', 'S3 → S3: the source objects are SSE-C encrypted with --sse-c-copy-source-key (AES256)').choices(['AES256']))
    .option('--sse-c-copy-source-key <key>', 'the SSE-C key of the source objects: fileb://key.bin, file://key.txt or the key itself; never printed');
}

/** The SSE-C options the flags name (keys read from their files), checked in pairs as aws-cli does. */
export function sseCOptionsOf(flags: SseCFlags): SseCOptions {
  const sseCustomerKey = keyOf(flags.sseC, flags.sseCKey, '--sse-c');
  const copySourceSseCustomerKey = keyOf(flags.sseCCopySource, flags.sseCCopySourceKey, '--sse-c-copy-source');
  return {
    ...(sseCustomerKey === undefined ? {} : { sseCustomerKey }),
    ...(copySourceSseCustomerKey === undefined ? {} : { copySourceSseCustomerKey }),
  };
}

/**
 * The MD5 of each SSE-C key (base64, as S3 reports it in `x-amz-server-side-encryption-customer-key-MD5`),
 * recorded in plan files instead of the key: it tells keys apart and gives nothing of them away.
 */
export function sseCKeyDigests(options: SseCOptions): { sseCustomerKeyMd5?: string; copySourceSseCustomerKeyMd5?: string } {
  const md5 = (key: SseCustomerKey | undefined) => (key === undefined ? undefined : createHash('md5').update(key.key).digest('base64'));
  const digests = { sseCustomerKeyMd5: md5(options.sseCustomerKey), copySourceSseCustomerKeyMd5: md5(options.copySourceSseCustomerKey) };
  return Object.fromEntries(Object.entries(digests).filter(([, value]) => value !== undefined));
}

/**
 * The context with output streams that mask the SSE-C keys (base64, hex, as text) in whatever is
 * written: nothing s3kit prints should hold them, and this makes sure of it. Other stream
 * methods (a progress bar's cursor moves) pass through.
 */
export function redactingKeys(context: CliContext, options: SseCOptions): CliContext {
  const keys = [options.sseCustomerKey, options.copySourceSseCustomerKey].filter((key): key is SseCustomerKey => key !== undefined);
  if (keys.length === 0) return context;
  const redact = createRedactor(keys.flatMap((key) => sseCustomerKeyForms(key.key)));
  const wrap = <Stream extends object>(stream: Stream): Stream =>
    new Proxy(stream, {
      get(target, property) {
        if (property === 'write') {
          return (chunk: unknown, ...rest: unknown[]) =>
            (target as unknown as NodeJS.WritableStream).write(typeof chunk === 'string' ? redact(chunk) : Buffer.isBuffer(chunk) ? redact(chunk.toString()) : (chunk as string), ...(rest as []));
        }
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  return { ...context, streams: { stdout: wrap(context.streams.stdout), stderr: wrap(context.streams.stderr) } };
}

function keyOf(algorithm: string | true | undefined, value: string | undefined, flag: string): SseCustomerKey | undefined {
  if (algorithm === undefined && value === undefined) return undefined;
  if (algorithm === undefined) throw new InvalidArgumentError(`${flag}-key needs ${flag} (as in aws-cli): add ${flag} AES256.`);
  if (value === undefined) throw new InvalidArgumentError(`${flag} needs the key: add ${flag}-key fileb://key.bin (32 bytes).`);
  return { algorithm: 'AES256', key: readKey(value, `${flag}-key`) };
}

/** The key's bytes: `fileb://` a binary file, `file://` a text file (without a trailing newline), else the value as text. */
function readKey(value: string, flag: string): Uint8Array {
  const [scheme, path] = value.startsWith('fileb://') ? ['fileb', value.slice(8)] : value.startsWith('file://') ? ['file', value.slice(7)] : [undefined, undefined];
  if (scheme === undefined || path === undefined) return Buffer.from(value, 'utf8');
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new InvalidArgumentError(`${flag}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)}).`);
  }
  return scheme === 'fileb' ? bytes : Buffer.from(bytes.toString('utf8').replace(/\r?\n$/, ''), 'utf8');
}
