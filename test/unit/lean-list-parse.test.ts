import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseListObjectsV2 } from '../../src/listing/lean-list.js';

/*
 * The lean lane's ListObjectsV2 reader against the SDK's own deserializer, on the same bytes: a
 * local HTTP server answers the SDK with generated XML, and both readings must agree. The XML
 * escapes what it must and, at random, more (character references, &quot;, raw or escaped CR).
 */

let server: Server;
let answer = '';
let sdk: S3Client;

beforeAll(async () => {
  server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/xml' });
    response.end(answer);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sdk = new S3Client({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'k', secretAccessKey: 's' },
    maxAttempts: 1,
  });
});
afterAll(async () => {
  sdk.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** What the SDK reads of an answer, in the fields the lean reader fills. */
async function sdkReading(xml: string): Promise<unknown> {
  answer = xml;
  const page = await sdk.send(new ListObjectsV2Command({ Bucket: 'b' }));
  return { ...(page.EncodingType === undefined ? {} : { EncodingType: page.EncodingType }), Contents: page.Contents?.map(({ Key, LastModified, ETag, Size, StorageClass }) => ({ Key, LastModified, ETag, Size, StorageClass })), CommonPrefixes: page.CommonPrefixes?.map(({ Prefix }) => ({ Prefix })), IsTruncated: page.IsTruncated, NextContinuationToken: page.NextContinuationToken, KeyCount: page.KeyCount };
}

/** Text as XML character data, with the optional escapes chosen by `style` (a seed of choices). */
function escapeText(text: string, style: number): string {
  let out = '';
  let i = 0;
  for (const char of text) {
    const pick = (style >> (i++ % 24)) & 1;
    if (char === '&') out += '&amp;';
    else if (char === '<') out += '&lt;';
    else if (char === '>') out += pick ? '&gt;' : '>';
    else if (char === '"') out += pick ? '&quot;' : '"';
    else if (char === "'") out += pick ? '&apos;' : "'";
    else if (char === '\r') out += pick ? '&#13;' : '&#xD;';
    // Only BMP characters as references: the SDK's reader drops a reference beyond U+FFFF
    // (&#x1f600; reads as nothing), where this reader decodes it; S3 sends such characters as
    // UTF-8, so the two never meet there.
    else if (char.codePointAt(0)! > 0x7f && char.codePointAt(0)! <= 0xffff && pick) out += `&#x${char.codePointAt(0)!.toString(16)};`;
    else out += char;
  }
  return out;
}

const keyChar = fc.oneof(
  fc.constantFrom('&', '<', '>', '"', "'", '\r', '\n', '\t', ' ', '/', 'é', '😀', '%', '+', ']'),
  fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }),
);
// Never only white space: the SDK's reader turns such text, when it holds a line break, into ""
// (why listings ask for URL-encoded keys; the test below shows the lean reader keeps it).
const key = fc.string({ unit: keyChar, minLength: 0, maxLength: 30 }).map((text) => `k${text}`);

describe('parseListObjectsV2', () => {
  it('reads what the SDK reads: keys with every escape, sizes, dates, ETags, classes, prefixes, the continuation', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ key, size: fc.nat(), etag: fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 32, maxLength: 32 }), storageClass: fc.constantFrom('STANDARD', 'STANDARD_IA', 'GLACIER'), ms: fc.integer({ min: 0, max: 4_000_000_000_000 }) }), { maxLength: 8 }),
        fc.array(key, { maxLength: 3 }),
        fc.option(key, { nil: undefined }),
        fc.integer({ min: 0, max: 2 ** 24 }),
        async (objects, prefixes, token, style) => {
          const xml =
            '<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
            `${style & 4 ? '<EncodingType>url</EncodingType>' : ''}<Name>b</Name><Prefix></Prefix><KeyCount>${objects.length + prefixes.length}</KeyCount><MaxKeys>1000</MaxKeys>` +
            `<IsTruncated>${token === undefined ? 'false' : 'true'}</IsTruncated>` +
            objects
              .map(
                (o) =>
                  `<Contents><Key>${escapeText(o.key, style)}</Key><LastModified>${new Date(o.ms).toISOString()}</LastModified>` +
                  `<ETag>${style & 1 ? '&quot;' : '"'}${o.etag}${style & 2 ? '&quot;' : '"'}</ETag><Size>${o.size}</Size>` +
                  `<Owner><ID>id</ID><DisplayName>name &amp; co</DisplayName></Owner><StorageClass>${o.storageClass}</StorageClass></Contents>`,
              )
              .join('') +
            prefixes.map((p) => `<CommonPrefixes><Prefix>${escapeText(p, style >> 3)}</Prefix></CommonPrefixes>`).join('') +
            (token === undefined ? '' : `<NextContinuationToken>${escapeText(token, style >> 5)}</NextContinuationToken>`) +
            '</ListBucketResult>';
          expect(parseListObjectsV2(xml)).toEqual(await sdkReading(xml));
        },
      ),
      { seed: 20261122, numRuns: 150 },
    );
  });

  it('reads an empty listing, a raw carriage return (XML normalises line ends) and a self-closed element', async () => {
    const empty = '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>b</Name><Prefix/><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>';
    expect(parseListObjectsV2(empty)).toEqual(await sdkReading(empty));
    const raw = '<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>a\r\nb\rc</Key><Size>1</Size><ETag>"e"</ETag><StorageClass>STANDARD</StorageClass></Contents></ListBucketResult>';
    expect(parseListObjectsV2(raw)).toEqual(await sdkReading(raw));
    expect(parseListObjectsV2(raw).Contents?.[0]?.Key).toBe('a\nb\nc');
  });

  it('keeps a key that is only white space with a line break, which the SDK reads as ""', async () => {
    const xml = '<ListBucketResult><IsTruncated>true</IsTruncated><Contents><Key>\n</Key><Size>1</Size></Contents><NextContinuationToken>\n</NextContinuationToken></ListBucketResult>';
    expect(parseListObjectsV2(xml)).toMatchObject({ Contents: [{ Key: '\n' }], NextContinuationToken: '\n' });
    expect(await sdkReading(xml)).toMatchObject({ Contents: [{ Key: '' }], NextContinuationToken: '' });
  });

  it('refuses an answer cut short, even at an element boundary, or not a listing, instead of reading it as a short complete page', () => {
    const whole = '<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>a</Key><Size>1</Size></Contents><Contents><Key>b</Key><Size>1</Size></Contents></ListBucketResult>';
    expect(parseListObjectsV2(whole).Contents).toHaveLength(2);
    for (let cut = 1; cut < whole.length; cut++) {
      expect(() => parseListObjectsV2(whole.slice(0, cut)), `cut at ${cut}`).toThrow(SyntaxError);
    }
    expect(() => parseListObjectsV2('<html><body>Service Unavailable</body></html>')).toThrow(/not a whole ListBucketResult/);
    expect(() => parseListObjectsV2('')).toThrow(/not a whole ListBucketResult/);
  });
});
