import { ListMultipartUploadsCommand, type ListMultipartUploadsCommandInput, type ListMultipartUploadsCommandOutput, type S3Client } from '@aws-sdk/client-s3';

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
