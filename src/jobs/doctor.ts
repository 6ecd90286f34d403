import { access, constants, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import {
  DeleteObjectCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { LoadedConfig } from '../config/load-config.js';
import type { JobConfig } from '../config/config-schema.js';
import { parseLocation, type S3Location } from '../core/location.js';
import { createRedactor } from '../core/redact.js';
import { describeS3Error, httpStatus, s3ErrorCode } from '../core/s3-errors.js';
// S3 clients from the public API, as a jobs subpath will import them (not transfer/ internals).
import { createS3Client, type S3ConnectionOptions } from '../index.js';
import { jobConnection } from './job-connection.js';

/**
 * One line of `s3kit doctor`.
 * @public
 */
export interface DoctorCheck {
  /** True for ✔, false for ✘. */
  readonly ok: boolean;
  /** What was checked, e.g. `job "photos": bucket archive exists`. */
  readonly subject: string;
  /** What was found. */
  readonly detail: string;
  /** What to do, when not ok. */
  readonly fix?: string;
}

/** Clock skew beyond which signed requests start to fail (AWS allows 15 minutes). */
const MAX_SKEW_MS = 5 * 60_000;

/**
 * Checks what a config needs: credentials and endpoint per connection (who am I, reachable,
 * clock skew), and per job its source and its target bucket (exists, can list, can write a probe
 * object and remove it). Endpoints are shown with the password of their userinfo masked
 * (`http://user:***@host`), and every credential of {@link LoadedConfig.secrets} is masked.
 * @public
 */
export async function* runDoctor(config: LoadedConfig, options: { readonly connection?: S3ConnectionOptions } = {}): AsyncGenerator<DoctorCheck> {
  // Endpoints are printed (with their userinfo masked), and details may quote paths and URLs.
  const redact = createRedactor(config.secrets ?? []);
  for await (const check of checks(config, options)) {
    yield { ...check, subject: redact(check.subject), detail: redact(check.detail), ...(check.fix === undefined ? {} : { fix: redact(check.fix) }) };
  }
}

async function* checks(config: LoadedConfig, options: { readonly connection?: S3ConnectionOptions }): AsyncGenerator<DoctorCheck> {
  yield { ok: true, subject: `config ${config.path}`, detail: `${config.jobs.length} job(s), valid` };
  const clients = new Map<string, { client: S3Client; serverDate: { value?: string } }>();
  const clientFor = (job: JobConfig) => {
    const connection = jobConnection(job, config, options.connection);
    const id = JSON.stringify([connection.endpoint, connection.region, connection.profile, connection.forcePathStyle]);
    let entry = clients.get(id);
    if (entry === undefined) {
      const client = createS3Client(connection);
      const serverDate: { value?: string } = {};
      client.middlewareStack.add(
        (next) => async (args) => {
          const output = await next(args);
          const date = (output.response as { headers?: Record<string, string> }).headers?.date;
          if (date !== undefined) serverDate.value = date;
          return output;
        },
        { step: 'deserialize', name: 's3kitDoctorDate' },
      );
      entry = { client, serverDate };
      clients.set(id, entry);
      return { ...entry, label: connection.endpoint ?? 'AWS', fresh: true };
    }
    return { ...entry, label: connection.endpoint ?? 'AWS', fresh: false };
  };

  for (const job of config.jobs) {
    const { client, serverDate, label, fresh } = clientFor(job);
    if (fresh) yield* checkConnection(client, serverDate, label);
    const source = parseLocation(job.source, 'source');
    if (source.kind === 'local') yield await checkLocalSource(job, source.path);
    else if (source.kind === 's3') yield* checkBucket(client, job, source, false);
    const target = parseLocation(job.target, 'target');
    if (target.kind === 's3') yield* checkBucket(client, job, target, true);
  }
}

async function* checkConnection(client: S3Client, serverDate: { value?: string }, label: string): AsyncGenerator<DoctorCheck> {
  try {
    const buckets = await client.send(new ListBucketsCommand({}));
    const owner = buckets.Owner?.DisplayName ?? buckets.Owner?.ID ?? 'unknown owner';
    yield { ok: true, subject: `credentials for ${label}`, detail: `signed in as ${owner}; endpoint reachable` };
  } catch (error) {
    yield { ok: false, subject: `credentials for ${label}`, detail: describeS3Error(error), fix: fixFor(error) };
    return;
  }
  if (serverDate.value !== undefined) {
    const skew = Date.now() - Date.parse(serverDate.value);
    yield Math.abs(skew) <= MAX_SKEW_MS
      ? { ok: true, subject: `clock of this machine against ${label}`, detail: `off by ${Math.round(skew / 1000)} s` }
      : {
          ok: false,
          subject: `clock of this machine against ${label}`,
          detail: `off by ${Math.round(skew / 1000)} s`,
          fix: 'synchronise the clock (NTP): signed requests fail beyond 15 minutes of skew',
        };
  }
}

async function checkLocalSource(job: JobConfig, path: string): Promise<DoctorCheck> {
  const subject = `job "${job.name}": source ${path}`;
  try {
    if (!(await stat(path)).isDirectory()) return { ok: false, subject, detail: 'is a file, not a directory', fix: 'point source at a directory' };
    await access(path, constants.R_OK | constants.X_OK);
    const dated = job.strategy.type === 'DateFolder' || job.strategy.type === 'CustomPattern';
    return { ok: true, subject, detail: dated ? "exists and is readable (each run's dated subfolder is checked when it runs)" : 'exists and is readable' };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, subject, detail: code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})`, fix: 'check the path, or mount the drive it lives on' };
  }
}

async function* checkBucket(client: S3Client, job: JobConfig, location: S3Location, write: boolean): AsyncGenerator<DoctorCheck> {
  const at = `job "${job.name}": bucket ${location.bucket}`;
  try {
    await client.send(new HeadBucketCommand({ Bucket: location.bucket }));
    yield { ok: true, subject: `${at} exists`, detail: 'yes' };
  } catch (error) {
    const missing = httpStatus(error) === 404 || s3ErrorCode(error) === 'NotFound' || s3ErrorCode(error) === 'NoSuchBucket';
    yield missing
      ? { ok: false, subject: `${at} exists`, detail: 'no such bucket', fix: 'create it, or check its name and region' }
      : { ok: false, subject: `${at} exists`, detail: describeS3Error(error, location.bucket), fix: fixFor(error) };
    return;
  }
  try {
    await client.send(new ListObjectsV2Command({ Bucket: location.bucket, Prefix: location.prefix || undefined, MaxKeys: 1 }));
    yield { ok: true, subject: `${at} can be listed`, detail: 'yes' };
  } catch (error) {
    yield { ok: false, subject: `${at} can be listed`, detail: describeS3Error(error, location.bucket), fix: fixFor(error) };
  }
  if (!write) return;
  const probe = `${location.prefix}.s3kit-doctor-${randomBytes(6).toString('hex')}`;
  try {
    await client.send(new PutObjectCommand({ Bucket: location.bucket, Key: probe, Body: 'probe' }));
    await client.send(new DeleteObjectCommand({ Bucket: location.bucket, Key: probe }));
    yield { ok: true, subject: `${at} can be written`, detail: 'wrote and removed a probe object' };
  } catch (error) {
    yield { ok: false, subject: `${at} can be written`, detail: describeS3Error(error, location.bucket), fix: fixFor(error) };
  }
}

function fixFor(error: unknown): string {
  switch (s3ErrorCode(error)) {
    case 'InvalidAccessKeyId':
      return 'check the access key id (environment, profile) and that it belongs to this endpoint';
    case 'SignatureDoesNotMatch':
      return 'check the secret access key (environment, profile): the server computed another signature';
    case 'CredentialsProviderError':
      return 'check the access key and secret (environment, profile) for this endpoint';
    case 'ExpiredToken':
    case 'ExpiredTokenException':
    case 'TokenRefreshRequired':
      return 'renew the session credentials (log in again) and retry';
    case 'AccessDenied':
      return 'grant these credentials access to the bucket (list, put, delete)';
    case 'HTTP403':
    case 'Forbidden':
      return 'if the credentials check above failed, fix that first (a wrong secret key gives 403 here); else grant these credentials access to the bucket';
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
      return 'check the endpoint URL and that the server is up';
    default:
      return 'see the message';
  }
}
