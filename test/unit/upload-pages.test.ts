import { ListMultipartUploadsCommand, ListPartsCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { listIncompleteUploads } from '../../src/transfer/incomplete-uploads.js';
import { multipartUploads, type ListedUpload } from '../../src/transfer/upload-pages.js';

// The three ways servers answer a URL-encoded ListMultipartUploads, one page boundary each: AWS
// (encodes keys and NextKeyMarker, says EncodingType=url), radosgw (encodes keys, sends the
// marker raw, does not say so) and a server that ignores the request (raw names). A real radosgw
// is in the integration suite; the other two cannot be produced here.
const s3 = mockClient(S3Client);
afterEach(() => s3.reset());
const client = (): S3Client => new S3Client({ region: 'us-east-1' });

async function uploads(): Promise<ListedUpload[]> {
  const listed: ListedUpload[] = [];
  for await (const upload of multipartUploads(client(), { Bucket: 'bkt' }, undefined)) listed.push(upload);
  return listed;
}

const gone = (): S3ServiceException => new S3ServiceException({ name: 'NoSuchUpload', $fault: 'client', $metadata: { httpStatusCode: 404 }, message: 'NoSuchUpload' });

describe('multipartUploads', () => {
  it('AWS: decodes keys and continues from the decoded key of the last upload', async () => {
    s3.on(ListMultipartUploadsCommand)
      .resolvesOnce({ EncodingType: 'url', IsTruncated: true, NextKeyMarker: 'a%2Bb%0A', NextUploadIdMarker: 'u1', Uploads: [{ Key: 'a%2Bb%0A', UploadId: 'u1' }] })
      .resolvesOnce({ EncodingType: 'url', IsTruncated: false, Uploads: [{ Key: 'x+y', UploadId: 'u2' }] });
    expect((await uploads()).map((upload) => upload.keys)).toEqual([['a+b\n'], ['x y']]);
    const inputs = s3.commandCalls(ListMultipartUploadsCommand).map((call) => call.args[0].input);
    expect(inputs.map((input) => input.EncodingType)).toEqual(['url', 'url']);
    expect(inputs[1]).toMatchObject({ KeyMarker: 'a+b\n', UploadIdMarker: 'u1' });
  });

  it('radosgw: encoded keys without EncodingType, a raw marker; both readings kept, the marker picks the key to continue from', async () => {
    s3.on(ListMultipartUploadsCommand)
      .resolvesOnce({ IsTruncated: true, NextKeyMarker: 'sp ace', NextUploadIdMarker: 'u1', Uploads: [{ Key: 'sp%20ace', UploadId: 'u1' }] })
      // "\n" as a raw marker: the SDK's XML reader gives "".
      .resolvesOnce({ IsTruncated: true, NextKeyMarker: '', NextUploadIdMarker: 'u2', Uploads: [{ Key: '%0A', UploadId: 'u2' }] })
      .resolvesOnce({ IsTruncated: false, Uploads: [{ Key: 'z', UploadId: 'u3' }] });
    expect((await uploads()).map((upload) => upload.keys)).toEqual([['sp ace', 'sp%20ace'], ['\n', '%0A'], ['z']]);
    const inputs = s3.commandCalls(ListMultipartUploadsCommand).map((call) => call.args[0].input);
    expect(inputs.slice(1).map((input) => [input.KeyMarker, input.UploadIdMarker])).toEqual([['sp ace', 'u1'], ['\n', 'u2']]);
  });

  it('a server that ignores the encoding: raw names, the raw marker confirms the raw reading', async () => {
    s3.on(ListMultipartUploadsCommand)
      .resolvesOnce({ IsTruncated: true, NextKeyMarker: '%41', NextUploadIdMarker: 'u1', Uploads: [{ Key: '%41', UploadId: 'u1' }, { Key: '100%', UploadId: 'u0' }].reverse() })
      .resolvesOnce({ IsTruncated: false, Uploads: [] });
    expect((await uploads()).map((upload) => upload.keys)).toEqual([['100%'], ['A', '%41']]);
    expect(s3.commandCalls(ListMultipartUploadsCommand)[1]!.args[0].input).toMatchObject({ KeyMarker: '%41', UploadIdMarker: 'u1' });
  });

  it('continues from the decoded marker after a truncated page with no uploads when the answer says it encoded', async () => {
    s3.on(ListMultipartUploadsCommand)
      .resolvesOnce({ EncodingType: 'url', IsTruncated: true, NextKeyMarker: 'a%2Bb+c', NextUploadIdMarker: 'u1' })
      .resolvesOnce({ EncodingType: 'url', IsTruncated: false, Uploads: [{ Key: 'z', UploadId: 'u2' }] });
    expect((await uploads()).map((upload) => upload.keys)).toEqual([['z']]);
    expect(s3.commandCalls(ListMultipartUploadsCommand)[1]?.args[0].input).toMatchObject({ KeyMarker: 'a+b c', UploadIdMarker: 'u1' });
  });

  it('fails when the server answers the same markers again, instead of listing for ever', async () => {
    s3.on(ListMultipartUploadsCommand).resolves({ EncodingType: 'url', IsTruncated: true, NextKeyMarker: 'a', NextUploadIdMarker: 'u1', Uploads: [{ Key: 'a', UploadId: 'u1' }] });
    await expect(uploads()).rejects.toMatchObject({ code: 'TruncatedListing' });
    expect(s3.commandCalls(ListMultipartUploadsCommand).length).toBe(2);
  });
});

describe('listIncompleteUploads', () => {
  it('reports an upload under the reading of its key that ListParts accepts, and passes over one that is gone', async () => {
    s3.on(ListMultipartUploadsCommand).resolves({ IsTruncated: false, Uploads: [{ Key: '%41', UploadId: 'raw' }, { Key: 'b%20c', UploadId: 'decoded' }, { Key: '%42', UploadId: 'vanished' }] });
    s3.on(ListPartsCommand)
      .rejects(gone())
      .on(ListPartsCommand, { Key: '%41', UploadId: 'raw' })
      .resolves({ Parts: [{ PartNumber: 1, Size: 5 }] })
      .on(ListPartsCommand, { Key: 'b c', UploadId: 'decoded' })
      .resolves({ Parts: [{ PartNumber: 1, Size: 7 }, { PartNumber: 2, Size: 1 }] });
    const listed = [];
    for await (const upload of listIncompleteUploads(client(), { kind: 's3', bucket: 'bkt', prefix: '' })) listed.push(upload);
    expect(listed.map((upload) => [upload.key, upload.uploadId, upload.bytes, upload.parts])).toEqual([
      ['%41', 'raw', 5, 1],
      ['b c', 'decoded', 8, 2],
    ]);
  });

  it('tries the other reading of a key when the server refuses the first (a decoded name it cannot take), and fails only when none is accepted', async () => {
    s3.on(ListMultipartUploadsCommand).resolves({ IsTruncated: false, Uploads: [{ Key: 'x%00y', UploadId: 'u1' }] });
    const refused = new S3ServiceException({ name: 'InvalidURI', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Could not parse the specified URI.' });
    s3.on(ListPartsCommand).rejects(refused).on(ListPartsCommand, { Key: 'x%00y', UploadId: 'u1' }).resolves({ Parts: [{ PartNumber: 1, Size: 3 }] });
    const listed = [];
    for await (const upload of listIncompleteUploads(client(), { kind: 's3', bucket: 'bkt', prefix: '' })) listed.push(upload);
    expect(listed.map((upload) => [upload.key, upload.bytes])).toEqual([['x%00y', 3]]);

    s3.reset();
    s3.on(ListMultipartUploadsCommand).resolves({ IsTruncated: false, Uploads: [{ Key: 'x%00y', UploadId: 'u1' }] });
    s3.on(ListPartsCommand).rejects(refused);
    const failing = (async () => {
      for await (const _upload of listIncompleteUploads(client(), { kind: 's3', bucket: 'bkt', prefix: '' })) void _upload;
    })();
    await expect(failing).rejects.toMatchObject({ name: 'ListingError', code: 'InvalidURI' });
  });
});
