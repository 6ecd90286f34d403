import {
  ListMultipartUploadsCommand,
  ListPartsCommand,
  type ListMultipartUploadsCommandInput,
  type ListMultipartUploadsCommandOutput,
  type ListPartsCommandInput,
  type ListPartsCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';

/**
 * The pages of ListMultipartUploads. The SDK has no paginator for it (it pages on two markers,
 * KeyMarker and UploadIdMarker), so this is the one loop that follows both.
 */
export async function* multipartUploadPages(
  client: S3Client,
  input: Omit<ListMultipartUploadsCommandInput, 'KeyMarker' | 'UploadIdMarker'>,
  signal: AbortSignal | undefined,
): AsyncGenerator<ListMultipartUploadsCommandOutput> {
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  do {
    const page = await client.send(new ListMultipartUploadsCommand({ ...input, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }), { abortSignal: signal });
    yield page;
    keyMarker = page.IsTruncated === true ? page.NextKeyMarker : undefined;
    uploadIdMarker = page.IsTruncated === true ? page.NextUploadIdMarker : undefined;
  } while (keyMarker !== undefined);
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
