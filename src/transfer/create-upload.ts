import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  type CreateMultipartUploadCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { httpStatus, s3ErrorCode } from '../core/s3-errors.js';
import { multipartUploads } from './upload-pages.js';

/*
 * The invariant every multipart writer keeps: each upload this process creates is, when the
 * call returns, completed, aborted, or recorded in the StateStore for resume. Its two hard
 * cases live here: a run aborted while CreateMultipartUpload is in flight (the server creates the
 * upload whether or not we listen, and only the answer's id lets us abort or record it), and an
 * answer lost on the wire (nothing but a listing can find that upload).
 */

/**
 * How long a CreateMultipartUpload may still take once the run is aborted: its answer is awaited
 * rather than abandoned. Then the key's uploads are swept as for a lost answer. Short enough that
 * wait and sweep fit well inside the 5 s the command line gives a command after a signal.
 */
export const CREATE_GRACE_MS = 2_500;

/** Time allowed to an AbortMultipartUpload or the search for stray uploads, under no run signal. */
export const CLEANUP_TIMEOUT_MS = 10_000;

/**
 * How far the server's clock may lag ours when looking for an upload a lost CreateMultipartUpload
 * answer left behind (uploads of the key initiated since the request began, less this).
 */
const CLOCK_SKEW_MS = 2_000;

/** Where an upload is created, and how to know which upload of the key a StateStore keeps. */
export interface UploadTarget {
  readonly client: S3Client;
  readonly bucket: string;
  readonly key: string;
  /** The run's signal. */
  readonly signal: AbortSignal;
  /** The upload id a StateStore records for this key, if any: never aborted as a stray. */
  readonly recordedUploadId?: () => Promise<string | undefined>;
}

/**
 * CreateMultipartUpload, returning the new upload's id. The request is not cancelled the moment
 * the run is aborted (see {@link CREATE_GRACE_MS}); the caller then aborts or records the upload.
 * When its answer is lost anyway — the connection dropped after the server applied it, or the
 * SDK retried such an attempt — uploads of this key that began since the request and are not
 * recorded are aborted: nothing else could ever find them.
 */
export async function createMultipartUpload(
  target: UploadTarget,
  input: Omit<CreateMultipartUploadCommandInput, 'Bucket' | 'Key'>,
): Promise<string> {
  const requestedAt = Date.now();
  const grace = graceAfter(target.signal, CREATE_GRACE_MS);
  let uploadId: string | undefined;
  try {
    const created = await target.client.send(new CreateMultipartUploadCommand({ ...input, Bucket: target.bucket, Key: target.key }), {
      abortSignal: grace.signal,
    });
    if (created.UploadId === undefined) throw new Error('CreateMultipartUpload answered without an UploadId.');
    uploadId = created.UploadId;
    if ((created.$metadata.attempts ?? 1) > 1) await abortStrayUploads(target, requestedAt, uploadId);
    return uploadId;
  } catch (error) {
    // A refusal the server answered on the first attempt (403, 400) created nothing.
    const status = httpStatus(error);
    const attempts = (error as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1;
    const refused = status !== undefined && status < 500 && attempts <= 1;
    if (uploadId === undefined && !refused) await abortStrayUploads(target, requestedAt, undefined);
    throw error;
  } finally {
    grace.dispose();
  }
}

/**
 * AbortMultipartUpload, not under the run's signal (an interrupted run must still clean up) but
 * bounded. An upload already gone counts as aborted.
 */
export async function abortMultipartUpload(target: Omit<UploadTarget, 'signal'>, uploadId: string): Promise<void> {
  await target.client
    .send(new AbortMultipartUploadCommand({ Bucket: target.bucket, Key: target.key, UploadId: uploadId }), {
      abortSignal: AbortSignal.timeout(CLEANUP_TIMEOUT_MS),
    })
    .catch((error: unknown) => {
      if (s3ErrorCode(error) !== 'NoSuchUpload') throw error;
    });
}

/**
 * Aborts the uploads of this key initiated since `since` (less the clock skew allowance) that are
 * neither `ours` nor recorded. Best effort: the original error is what the caller reports.
 */
async function abortStrayUploads(target: UploadTarget, since: number, ours: string | undefined): Promise<void> {
  try {
    const recorded = await target.recordedUploadId?.();
    for await (const upload of multipartUploads(target.client, { Bucket: target.bucket, Prefix: target.key }, AbortSignal.timeout(CLEANUP_TIMEOUT_MS))) {
      // A reading that is not the upload's key makes the abort fail (NoSuchUpload), never another upload's.
      if (!upload.keys.includes(target.key) || upload.uploadId === ours || upload.uploadId === recorded) continue;
      if ((upload.initiated?.getTime() ?? 0) < since - CLOCK_SKEW_MS) continue;
      await abortMultipartUpload(target, upload.uploadId);
    }
  } catch {
    // Listing or aborting refused (permissions, network): `s3kit uploads list` shows what is left.
  }
}

/** A signal that aborts `ms` after `signal` does (with its reason). */
function graceAfter(signal: AbortSignal, ms: number): { readonly signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const onAbort = (): void => {
    timer = setTimeout(() => controller.abort(signal.reason), ms);
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    dispose: () => {
      signal.removeEventListener('abort', onAbort);
      clearTimeout(timer);
    },
  };
}
