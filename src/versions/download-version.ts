import { createHash, randomBytes } from 'node:crypto';
import { lstat, open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { TransferError } from '../index.js';
import { isMd5Etag } from '../core/multipart-etag.js';
import { digestFile } from '../transfer/file-digest.js';
import { checkPathBelowRoot } from '../transfer/local-destination.js';
import { asTransferError } from '../transfer/transfer-error.js';
import type { ObjectVersion } from './list-versions.js';

/** One version to write to a local file. */
export interface VersionDownload {
  readonly client: S3Client;
  readonly bucket: string;
  /** The full key (prefix included). */
  readonly objectKey: string;
  readonly version: ObjectVersion;
  /** The destination directory's real path: no link below it is followed. */
  readonly root: string;
  /** The file's path, checked as a string to lie below `root` (localPathForKey). */
  readonly path: string;
  readonly signal: AbortSignal | undefined;
}

/**
 * Downloads one version (GetObject with its VersionId) to a temp file beside the destination —
 * named like the sync's (`.s3kit-<hex>.part`, which walks and syncs pass over), created with
 * O_EXCL so it never follows a link — checks its size and, for a single-part ETag, its MD5, sets
 * its mtime to the version's LastModified and renames it into place. The destination path never
 * holds a partial file; on any failure or abort the temp file is removed. Directories on the way
 * are made and checked one by one (no symbolic link below the root is written through).
 */
export async function downloadVersion(request: VersionDownload): Promise<void> {
  const { version } = request;
  const check = { operation: 'get', key: version.key, create: true } as const;
  await checkPathBelowRoot(request.root, request.path, check);
  const temp = join(dirname(request.path), `.s3kit-${randomBytes(6).toString('hex')}.part`);
  const handle = await open(temp, 'wx');
  let closed = false;
  try {
    const response = await request.client.send(
      new GetObjectCommand({ Bucket: request.bucket, Key: request.objectKey, VersionId: version.versionId }),
      { abortSignal: request.signal },
    );
    // Encrypted with KMS or a customer key, an object's ETag is not the MD5 of its content.
    const encrypted = (response.ServerSideEncryption ?? '').startsWith('aws:kms') || response.SSECustomerAlgorithm !== undefined;
    const expected = version.etag?.toLowerCase();
    const hash = expected !== undefined && isMd5Etag(expected) && !encrypted ? createHash('md5') : undefined;
    let written = 0;
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        hash?.update(chunk);
        handle.write(chunk, 0, chunk.length, written).then(() => {
          written += chunk.length;
          callback();
        }, callback);
      },
    });
    await pipeline(response.Body as NodeJS.ReadableStream, sink, { signal: request.signal });
    if (written !== version.size) throw corrupted(request, `received ${written} bytes, the version has ${version.size}`);
    if (hash !== undefined && hash.digest('hex') !== expected) throw corrupted(request, 'its MD5 does not match the ETag');
    await handle.utimes(new Date(), version.lastModified);
    await handle.close();
    closed = true;
    // Checked again right before the rename (see local-destination.ts for the residual race).
    await checkPathBelowRoot(request.root, request.path, { ...check, create: false });
    await rename(temp, request.path);
  } catch (error) {
    if (!closed) await handle.close().catch(() => {});
    // The temp file's directory may have become a link meanwhile: then nothing is removed through it.
    const reachable = await checkPathBelowRoot(request.root, temp, { ...check, create: false }).then(
      () => true,
      () => false,
    );
    if (reachable) await rm(temp, { force: true });
    throw asTransferError(error, { operation: 'get', key: version.key, bucket: request.bucket, signal: request.signal });
  }
}

/**
 * True when the file at `path` already holds `version`: same size and, for a single-part ETag,
 * the same MD5; for other ETags (multipart, encrypted) the same size and an mtime equal to the
 * version's LastModified (which a restore sets), the only evidence short of downloading. A
 * missing file, a link or anything but a regular file is not equal (the download then refuses a
 * link on the way).
 */
export async function holdsVersion(root: string, path: string, version: ObjectVersion, signal: AbortSignal | undefined): Promise<boolean> {
  try {
    await checkPathBelowRoot(root, path, { operation: 'get', key: version.key, create: false });
  } catch {
    return false;
  }
  const stats = await lstat(path).catch(() => undefined);
  if (stats === undefined || !stats.isFile() || stats.size !== version.size) return false;
  const etag = version.etag?.toLowerCase();
  if (etag !== undefined && isMd5Etag(etag)) {
    // A readable file whose MD5 differs is a download; an unreadable one fails there, with its reason.
    const digest = await digestFile(path, [], signal).catch((error: unknown) => {
      if (signal?.aborted === true) throw signal.reason;
      return undefined;
    });
    return digest?.md5 === etag;
  }
  return Math.abs(stats.mtimeMs - version.lastModified.getTime()) < 1;
}

function corrupted(request: VersionDownload, what: string): TransferError {
  return new TransferError('get', request.version.key, `the download of ${JSON.stringify(request.version.key)} failed its integrity check: ${what}; nothing was written.`, {
    code: 'IntegrityError',
    retryable: true,
  });
}
