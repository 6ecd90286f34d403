import {
  ListMultipartUploadsCommand,
  ListPartsCommand,
  type ListMultipartUploadsCommandInput,
  type ListMultipartUploadsCommandOutput,
  type ListPartsCommandInput,
  type ListPartsCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { ListingError } from '../core/errors.js';
import { urlDecodedKey } from '../core/url-encoded-key.js';

/**
 * One upload of ListMultipartUploads. `keys` is its key; or, when the server did not say whether
 * it URL-encoded the answer and the two readings differ, the decoded reading then the raw one
 * (radosgw encodes without saying so; a server that ignores the request sends raw names). The
 * upload id belongs to one of them: ListParts or AbortMultipartUpload with the other is refused
 * (NoSuchUpload), so trying them in order can reach no other upload.
 */
export interface ListedUpload {
  readonly keys: readonly [string, ...string[]];
  readonly uploadId: string;
  readonly initiated: Date | undefined;
}

/**
 * The incomplete uploads under a prefix, page by page. The SDK has no paginator for
 * ListMultipartUploads (it pages on two markers, KeyMarker and UploadIdMarker), so this is the
 * one loop that follows both. Keys are asked for URL-encoded (see urlDecodedKey). The next page
 * starts after the last upload listed: its key is the reading that NextKeyMarker confirms (AWS
 * encodes the marker and says so; radosgw sends it raw, and a raw marker that is only white
 * space with a line break reaches us as ""). Markers answered twice fail instead of listing for ever.
 */
export async function* multipartUploads(
  client: S3Client,
  input: Omit<ListMultipartUploadsCommandInput, 'KeyMarker' | 'UploadIdMarker' | 'EncodingType'>,
  signal: AbortSignal | undefined,
): AsyncGenerator<ListedUpload> {
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  for (;;) {
    const page = await client.send(new ListMultipartUploadsCommand({ ...input, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker, EncodingType: 'url' }), { abortSignal: signal });
    let last: ListedUpload | undefined;
    for (const upload of page.Uploads ?? []) {
      if (upload.Key === undefined || upload.UploadId === undefined) continue;
      last = { keys: readings(upload.Key, page.EncodingType === 'url'), uploadId: upload.UploadId, initiated: upload.Initiated };
      yield last;
    }
    if (page.IsTruncated !== true) return;
    const previous = { keyMarker, uploadIdMarker };
    keyMarker = continuationKey(page.NextKeyMarker, last, page.EncodingType === 'url');
    uploadIdMarker = page.NextUploadIdMarker;
    if ((keyMarker ?? '') === '' || (keyMarker === previous.keyMarker && uploadIdMarker === previous.uploadIdMarker)) {
      throw new ListingError('target', `Cannot list the incomplete uploads of s3://${input.Bucket ?? ''}/${input.Prefix ?? ''}: the server said the listing goes on but gave no new place to continue from.`, {
        code: 'TruncatedListing',
      });
    }
  }
}

function readings(key: string, saidEncoded: boolean): ListedUpload['keys'] {
  if (saidEncoded) return [urlDecodedKey(key, 'target')];
  let decoded: string;
  try {
    decoded = urlDecodedKey(key, 'target');
  } catch {
    return [key]; // not URL encoding, so the server sent it raw
  }
  return decoded === key ? [key] : [decoded, key];
}

function continuationKey(marker: string | undefined, last: ListedUpload | undefined, saidEncoded: boolean): string | undefined {
  // A page with no uploads leaves only the marker, read as AWS documents it: URL-encoded when the
  // answer says it encoded (a marker that is not valid encoding was sent raw).
  if (last === undefined) return saidEncoded && marker !== undefined ? readings(marker, false)[0] : marker;
  if (last.keys.length === 1) return last.keys[0];
  if (marker !== undefined && last.keys.includes(marker)) return marker;
  // The SDK's XML reader turns a raw marker that is only white space with a line break into "".
  if (marker === '' && /^\s+$/.test(last.keys[0]) && /[\r\n]/.test(last.keys[0])) return last.keys[0];
  return marker;
}

/**
 * The pages of ListParts. Not the SDK's paginateListParts: it refuses a client that is not an
 * instance of its own S3Client class (one from another installed copy of the SDK, which serves
 * `send` all the same), and it would ask again from the NextPartNumberMarker some servers
 * (radosgw) return on the last page too. This follows the marker only while IsTruncated.
 */
export async function* partPages(
  client: S3Client,
  input: Omit<ListPartsCommandInput, 'PartNumberMarker'>,
  signal: AbortSignal | undefined,
): AsyncGenerator<ListPartsCommandOutput> {
  let marker: string | undefined;
  do {
    const page = await client.send(new ListPartsCommand({ ...input, PartNumberMarker: marker }), { abortSignal: signal });
    yield page;
    marker = page.IsTruncated === true ? page.NextPartNumberMarker : undefined;
  } while (marker !== undefined);
}
