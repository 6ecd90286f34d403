import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { BisyncRefusedError } from '../core/errors.js';
import { stripEtagQuotes } from '../core/etag.js';
import type { S3Location } from '../core/location.js';
import { describeS3Error, httpStatus } from '../core/s3-errors.js';
import { processIsGone } from './pair-lock.js';

/*
 * The lock a bisync holds on an S3 side, so that runs on different machines (which share no
 * local lock file) exclude each other: a lease object under the side's prefix, created with
 * `If-None-Match: *` (only one creator wins), renewed while the run lasts, and taken over only
 * once its lease has run out (a crashed holder). Writing it also tells what the server honours:
 *
 *  - `If-None-Match: *` — a second create of the same key must fail with 412. A server that lets
 *    it through cannot make the lock exclusive: the lock becomes best effort (HEAD, then PUT) and
 *    the run says so.
 *  - `If-Match` — a PUT with a wrong ETag must fail with 412, and one with the right ETag must
 *    succeed. AWS takes the ETag quoted, as HTTP writes it; radosgw 16.2 answers 412 to the quoted
 *    form and takes it bare. The form that worked is the one the run's conditional overwrites
 *    and deletes use.
 *
 * Five or six small requests per run, against the lost updates they prevent.
 */

/** The lock object's name under an S3 side's prefix; a bisync never lists it as content. */
export const S3_LOCK_NAME = '.s3kit-bisync.lock';

/**
 * What the server of an S3 side honours, found out while its lock was taken.
 */
export interface ConditionalWrites {
  /** `If-None-Match: *` on PutObject fails when the key exists: the lock is exclusive. */
  readonly ifNoneMatch: boolean;
  /**
   * How an ETag is written in `If-Match` for this server (quoted, or bare for radosgw), or
   * undefined when the server does not honour `If-Match` on PutObject.
   */
  readonly ifMatch: ((etag: string) => string) | undefined;
}

/** A lock held on an S3 side. */
export interface HeldS3Lock {
  readonly writes: ConditionalWrites;
  /** Stops the renewals and deletes the lock object if it is still this run's. */
  release(): Promise<void>;
}

/** Options of {@link s3LeaseLock}. */
export interface S3LeaseLockOptions {
  readonly client: S3Client;
  /** The S3 side; the lock object is `<prefix>.s3kit-bisync.lock`. */
  readonly location: S3Location;
  /** How long a lock lives without a renewal; a holder renews it every third of this. */
  readonly leaseMs: number;
  /** Called once if the lock is lost while held (taken over after a missed renewal). */
  readonly onLost: (error: BisyncRefusedError) => void;
  /** Called with what the run should know (a best-effort lock, a failed release). */
  readonly onWarning: (message: string) => void;
}

/** What the lock object holds: who took it, where and when. */
interface LockOwner {
  readonly owner: string;
  readonly host: string;
  readonly pid: number;
  readonly startedAt: string;
  readonly leaseSeconds: number;
}

/** The two forms of an ETag in If-Match: as HTTP writes it (AWS), and bare (radosgw 16.2). */
const QUOTED = (etag: string): string => `"${etag}"`;
const BARE = (etag: string): string => etag;
/** An ETag no object has: the If-Match probe must be refused. */
const NO_SUCH_ETAG = '00000000000000000000000000000000';

/**
 * Takes the lease lock on an S3 side or rejects with a `BisyncRefusedError` of reason `locked`.
 */
export async function acquireS3LeaseLock(options: S3LeaseLockOptions, signal: AbortSignal): Promise<HeldS3Lock> {
  const { client, location, leaseMs } = options;
  const bucket = location.bucket;
  const key = location.prefix + S3_LOCK_NAME;
  const url = `s3://${bucket}/${key}`;
  const me: LockOwner = { owner: randomUUID(), host: hostname(), pid: process.pid, startedAt: new Date().toISOString(), leaseSeconds: leaseMs / 1000 };
  const body = `${JSON.stringify(me)}\n`;
  // The lock's requests are not cut short by the run's signal: a PUT aborted on our side may
  // still land on the server after we looked, leaving a lock nobody removes. Each is small (and
  // bounded by the client's timeouts); an abort is honoured between them.
  const put = async (condition: { IfMatch?: string; IfNoneMatch?: string }): Promise<string | undefined> => {
    try {
      const response = await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/json', ...condition }));
      signal.throwIfAborted();
      return stripEtagQuotes(response.ETag) ?? '';
    } catch (error) {
      signal.throwIfAborted();
      if (httpStatus(error) === 412) return undefined;
      throw new BisyncRefusedError('locked', `Cannot write the bisync lock ${url}: ${describeS3Error(error, bucket)}`, { cause: error });
    }
  };
  const head = async (): Promise<{ etag: string; lastModified: number } | undefined> => {
    try {
      const response = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      signal.throwIfAborted();
      return { etag: stripEtagQuotes(response.ETag) ?? '', lastModified: response.LastModified?.getTime() ?? 0 };
    } catch (error) {
      signal.throwIfAborted();
      if (httpStatus(error) === 404) return undefined;
      throw new BisyncRefusedError('locked', `Cannot read the bisync lock ${url}: ${describeS3Error(error, bucket)}`, { cause: error });
    }
  };
  const refuse = async (): Promise<never> => {
    const holder = await readOwner(client, bucket, key, signal);
    const who = holder === undefined ? 'another run' : `run ${holder.owner} of process ${holder.pid} on ${holder.host} since ${holder.startedAt}`;
    throw new BisyncRefusedError(
      'locked',
      `Another bisync holds the lock on this S3 side (${who}; lock object ${url}). Wait for it to finish; the lock lapses ${Math.round((holder?.leaseSeconds ?? leaseMs / 1000))} s after its holder stops renewing it (a crash), or delete the object once that run is known to be over.`,
    );
  };

  let wrote = false;
  try {
    return await take();
  } catch (error) {
    // Refused, failed or interrupted after a write: a lock object of ours must not stay behind
    // to lock out the next run for a whole lease.
    if (wrote) await removeIfOurs(client, bucket, key, me.owner);
    throw error;
  }

  async function take(): Promise<HeldS3Lock> {
    // 1. Take the lock: create it, or take over one whose lease ran out (or whose holder, on this
    // host, is gone: killed, crashed).
    const found = await head();
    let etag: string | undefined;
    let ifMatch: ((etag: string) => string) | undefined;
    wrote = true;
    if (found === undefined) {
      etag = await put({ IfNoneMatch: '*' });
      if (etag === undefined) return refuse();
    } else {
      const live = Date.now() <= found.lastModified + leaseMs + Math.min(CLOCK_SKEW_MS, leaseMs);
      if (live) {
        const holder = await readOwner(client, bucket, key, signal);
        if (holder === undefined || holder.host !== hostname() || !processIsGone(holder.pid)) return refuse();
      }
      etag = await put({ IfMatch: QUOTED(found.etag) });
      if (etag !== undefined) ifMatch = QUOTED;
      else {
        const again = await head();
        if (again?.etag !== found.etag) return refuse();
        etag = await put({ IfMatch: BARE(found.etag) });
        if (etag === undefined) return refuse();
        ifMatch = BARE;
      }
    }
    // 2. What the server honours. A second create must be refused.
    const recreated = await put({ IfNoneMatch: '*' });
    const ifNoneMatch = recreated === undefined;
    if (!ifNoneMatch) {
      etag = recreated;
      options.onWarning(`${location.bucket}: the server ignores If-None-Match, so the bisync lock ${url} is best effort (two runs starting within the same instant could both take it).`);
    }
    // A PUT with a wrong ETag must be refused, one with the right ETag (in the form found) taken.
    const wrong = await put({ IfMatch: QUOTED(NO_SUCH_ETAG) });
    if (wrong !== undefined) {
      etag = wrong;
      ifMatch = undefined;
    } else if (ifMatch === undefined) {
      const quoted = await put({ IfMatch: QUOTED(etag as string) });
      if (quoted !== undefined) {
        etag = quoted;
        ifMatch = QUOTED;
      } else {
        const bare = await put({ IfMatch: BARE(etag as string) });
        if (bare !== undefined) {
          etag = bare;
          ifMatch = BARE;
        } else {
          // Neither form of our own ETag is taken: someone else wrote the lock in between.
          return refuse();
        }
      }
    }
    if (ifMatch === undefined) {
      options.onWarning(`${location.bucket}: the server ignores If-Match, so overwrites and deletes on this side are checked with a HEAD just before (a change in between is not caught).`);
    }
    return holdLease({ ...options, key, url, body, owner: me.owner, etag: etag as string, writes: { ifNoneMatch, ifMatch } });
  }
}

/** Deletes the lock object if it holds `owner` (best effort: it lapses after its lease anyway). */
async function removeIfOurs(client: S3Client, bucket: string, key: string, owner: string): Promise<void> {
  const signal = AbortSignal.timeout(10_000);
  const holder = await readOwner(client, bucket, key, signal);
  if (holder?.owner !== owner) return;
  await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal }).catch(() => {});
}

/**
 * A local clock ahead of the server's by up to this much (or the lease, if shorter) does not end
 * a live lease early.
 */
const CLOCK_SKEW_MS = 60_000;

/** Renews the lease every third of its length while held; releases it on request. */
function holdLease(held: S3LeaseLockOptions & { key: string; url: string; body: string; owner: string; etag: string; writes: ConditionalWrites }): HeldS3Lock {
  const { client, location, key, url, body, writes } = held;
  let etag = held.etag;
  let lastRenewed = Date.now();
  let lost = false;
  let renewing: Promise<void> = Promise.resolve();
  const renew = async (): Promise<void> => {
    try {
      if (writes.ifMatch === undefined) {
        const now = await client.send(new HeadObjectCommand({ Bucket: location.bucket, Key: key }));
        if (stripEtagQuotes(now.ETag) !== etag) return loseLock();
      }
      const response = await client.send(
        new PutObjectCommand({ Bucket: location.bucket, Key: key, Body: body, ContentType: 'application/json', ...(writes.ifMatch === undefined ? {} : { IfMatch: writes.ifMatch(etag) }) }),
      );
      etag = stripEtagQuotes(response.ETag) ?? etag;
      lastRenewed = Date.now();
    } catch (error) {
      const status = httpStatus(error);
      if (status === 412 && (await stillOurs())) return;
      if (status === 412 || status === 404) return loseLock();
      // A passing failure: tried again next tick; the lease is only lost once it ran out.
      if (Date.now() > lastRenewed + held.leaseMs) loseLock();
    }
  };
  // A renewal whose answer was lost may have landed: the object then holds our owner under an
  // ETag we never saw, and the next renewal's If-Match fails. That is still our lock.
  const stillOurs = async (): Promise<boolean> => {
    try {
      const signal = AbortSignal.timeout(held.leaseMs);
      if ((await readOwner(client, location.bucket, key, signal))?.owner !== held.owner) return false;
      const now = await client.send(new HeadObjectCommand({ Bucket: location.bucket, Key: key }), { abortSignal: signal });
      etag = stripEtagQuotes(now.ETag) ?? etag;
      return true;
    } catch {
      return false;
    }
  };
  const loseLock = (): void => {
    if (lost) return;
    lost = true;
    clearInterval(timer);
    held.onLost(
      new BisyncRefusedError('lock-lost', `The bisync lock ${url} was taken over by another run (this run could not renew it in time); this run stopped. What it did is kept; run again.`),
    );
  };
  const timer = setInterval(() => {
    renewing = renewing.then(renew);
  }, Math.max(100, Math.floor(held.leaseMs / 3)));
  timer.unref();
  return {
    writes,
    async release() {
      clearInterval(timer);
      await renewing;
      if (lost) return;
      try {
        const now = await client.send(new HeadObjectCommand({ Bucket: location.bucket, Key: key }));
        if (stripEtagQuotes(now.ETag) !== etag) return;
        await client.send(new DeleteObjectCommand({ Bucket: location.bucket, Key: key, ...(writes.ifMatch === undefined ? {} : { IfMatch: writes.ifMatch(etag) }) }));
      } catch (error) {
        if (httpStatus(error) === 404) return;
        held.onWarning(`Could not remove the bisync lock ${url} (${describeS3Error(error, location.bucket)}); it lapses after its lease.`);
      }
    },
  };
}

async function readOwner(client: S3Client, bucket: string, key: string, signal: AbortSignal): Promise<LockOwner | undefined> {
  try {
    const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
    const owner = JSON.parse((await response.Body?.transformToString()) ?? '') as LockOwner;
    return typeof owner?.owner === 'string' && typeof owner.pid === 'number' && typeof owner.host === 'string' ? owner : undefined;
  } catch {
    return undefined;
  }
}
