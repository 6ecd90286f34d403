import { setTimeout } from 'node:timers/promises';
import { ListObjectsV2Command, S3ServiceException, type ListObjectsV2CommandInput, type ListObjectsV2CommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { isRetryableError } from '../core/s3-errors.js';
import { countRequestOutsideSdk } from '../core/request-counter.js';
import { clientLane } from '../core/transport.js';

/*
 * The lean lane for ListObjectsV2 (issue 13): after the SDK has sent the first page of a listing,
 * the next pages are signed by the client's own signer (same credentials provider, same clock
 * offset) and sent through the client's own request handler (same sockets, CA bundle, connect and
 * idle timeouts), skipping the SDK's middleware stack and its generic XML deserializer, which
 * cost 15–18 ms of CPU per 1,000-key page against 1.3–2.3 ms here (bench/lean-lane-micro.mjs).
 * The first page going through the SDK is what keeps addressing exact: the endpoint, path or
 * virtual-hosted style, the signing region and name are read off the request the SDK built.
 * A listing whose first request was not plain SigV4 (S3 Express sessions, SigV4a) stays on the SDK.
 */

/** Where and how the SDK sent a listing's first page: enough to send the next ones the same way. */
export interface ListRoute {
  readonly protocol: string;
  readonly hostname: string;
  readonly port: number | undefined;
  /** `/bucket` (path style) or `/` (virtual-hosted). */
  readonly path: string;
  /** Headers the endpoint needs besides the signature's (the Host header with its port). */
  readonly host: string;
  readonly signingRegion: string;
  readonly signingName: string;
}

interface SignableRequest {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
}

/** The parts of the SDK's resolved client config the lane uses (present on every S3Client). */
interface ClientInternals {
  readonly signer: (authScheme?: { name: string; signingRegion: string; signingName: string }) => Promise<{
    sign(request: SignableRequest, options: { signingDate: Date; signingRegion: string; signingService: string }): Promise<SignableRequest>;
  }>;
  readonly requestHandler: { handle(request: SignableRequest, options: { abortSignal?: AbortSignal }): Promise<{ response: HttpAnswer }> };
  readonly maxAttempts: () => Promise<number>;
  readonly systemClockOffset?: number;
}

interface HttpAnswer {
  readonly statusCode: number;
  readonly headers: Record<string, string | undefined>;
  readonly body?: AsyncIterable<Uint8Array>;
}

/** SHA-256 of an empty body: a GET is signed over its (empty) payload. */
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/**
 * A ListObjectsV2 command that reports, once sent, the route the SDK chose for it (`undefined`
 * when the request was not plain SigV4, so the lane must not be used).
 */
export function routedListCommand(input: ListObjectsV2CommandInput, onRoute: (route: ListRoute | undefined) => void): ListObjectsV2Command {
  const command = new ListObjectsV2Command(input);
  command.middlewareStack.add(
    (next, context) => async (args) => {
      const request = args.request as Partial<SignableRequest> | undefined;
      const auth = (context as { endpointV2?: { properties?: { authSchemes?: { name?: string; signingRegion?: string; signingName?: string }[] } } }).endpointV2?.properties?.authSchemes?.[0];
      const plain = auth !== undefined && auth.name === 'sigv4' && auth.signingRegion !== undefined && auth.signingName !== undefined;
      if (!plain || request?.hostname === undefined || request.protocol === undefined || request.path === undefined) {
        onRoute(undefined);
      } else {
        const path = request.path === '' ? '/' : request.path;
        onRoute({
          protocol: request.protocol,
          hostname: request.hostname,
          port: request.port,
          path,
          host: request.headers?.host ?? request.hostname,
          signingRegion: auth.signingRegion!,
          signingName: auth.signingName!,
        });
      }
      return next(args);
    },
    // The deserialize step is the innermost: the request here is the one sent, signed.
    { step: 'deserialize', name: 's3kitListRoute', priority: 'low' },
  );
  return command;
}

/** Sends one ListObjectsV2 request by the lean lane, with the SDK's attempts and a jittered backoff. */
export async function leanListPage(client: S3Client, route: ListRoute, input: ListObjectsV2CommandInput, signal?: AbortSignal): Promise<ListObjectsV2CommandOutput> {
  const config = client.config as unknown as ClientInternals;
  const attempts = Math.max(1, await config.maxAttempts());
  for (let attempt = 1; ; attempt++) {
    try {
      countRequestOutsideSdk(client);
      return await sendOnce(config, route, input, signal);
    } catch (error) {
      if (signal?.aborted === true || attempt >= attempts || !isRetryableError(error)) {
        if ((error as Error | undefined)?.name === 'TimeoutError') clientLane(client).describeTimeout?.(error as Error, route);
        throw error;
      }
      // Full jitter on an exponential base, as the SDK's standard retry strategy does; a
      // cancellation during the wait ends it at once.
      const delayMs = Math.random() * Math.min(20_000, 100 * 2 ** attempt);
      await setTimeout(delayMs, undefined, signal === undefined ? {} : { signal });
    }
  }
}

async function sendOnce(config: ClientInternals, route: ListRoute, input: ListObjectsV2CommandInput, signal?: AbortSignal): Promise<ListObjectsV2CommandOutput> {
  const query: Record<string, string> = { 'list-type': '2' };
  if (input.Prefix !== undefined) query.prefix = input.Prefix;
  if (input.MaxKeys !== undefined) query['max-keys'] = String(input.MaxKeys);
  if (input.ContinuationToken !== undefined) query['continuation-token'] = input.ContinuationToken;
  if (input.Delimiter !== undefined) query.delimiter = input.Delimiter;
  if (input.StartAfter !== undefined) query['start-after'] = input.StartAfter;
  if (input.EncodingType !== undefined) query['encoding-type'] = input.EncodingType;
  const request: SignableRequest = {
    method: 'GET',
    protocol: route.protocol,
    hostname: route.hostname,
    ...(route.port === undefined ? {} : { port: route.port }),
    path: route.path,
    query,
    headers: { host: route.host, 'x-amz-content-sha256': EMPTY_SHA256 },
  };
  const signer = await config.signer({ name: 'sigv4', signingRegion: route.signingRegion, signingName: route.signingName });
  const signed = await signer.sign(request, { signingDate: new Date(Date.now() + (config.systemClockOffset ?? 0)), signingRegion: route.signingRegion, signingService: route.signingName });
  const { response } = await config.requestHandler.handle(signed, { abortSignal: signal });
  const chunks: Uint8Array[] = [];
  for await (const chunk of response.body ?? []) chunks.push(chunk);
  const xml = Buffer.concat(chunks).toString('utf8');
  const metadata = { httpStatusCode: response.statusCode, requestId: response.headers['x-amz-request-id'], extendedRequestId: response.headers['x-amz-id-2'] };
  if (response.statusCode < 200 || response.statusCode >= 300) throw errorOf(xml, response.statusCode, metadata);
  return { ...parseListObjectsV2(xml), $metadata: metadata };
}

/** An S3 error answer as the SDK would raise it: the code as its name, the status in `$metadata`. */
function errorOf(xml: string, status: number, metadata: { httpStatusCode: number; requestId?: string; extendedRequestId?: string }): S3ServiceException {
  const code = textIn(xml, 'Code') ?? (status === 404 ? 'NotFound' : 'UnknownError');
  const error = new S3ServiceException({
    name: code,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { ...metadata, requestId: textIn(xml, 'RequestId') ?? metadata.requestId },
    message: textIn(xml, 'Message') ?? code,
  });
  return Object.assign(error, { Code: code });
}

/** The parts of a ListObjectsV2 answer s3kit reads. */
export type ListPage = Pick<ListObjectsV2CommandOutput, 'Contents' | 'CommonPrefixes' | 'IsTruncated' | 'NextContinuationToken' | 'KeyCount' | 'EncodingType'>;

/**
 * Reads a ListObjectsV2 answer. S3's answer is flat and generated, so a scan for the few
 * elements s3kit uses is exact: markup cannot occur inside text (it is escaped), and an element
 * is searched for only inside the `<Contents>` or `<CommonPrefixes>` block it belongs to.
 */
export function parseListObjectsV2(xml: string): ListPage {
  // A page that is not a whole ListBucketResult (a proxy's HTML page, an answer cut short at an
  // element boundary) must not read as a short, complete listing: that would drive deletes.
  if (!xml.includes('<ListBucketResult') || !xml.trimEnd().endsWith('</ListBucketResult>')) {
    throw new SyntaxError(`ListObjectsV2 answer is not a whole ListBucketResult (${xml.length} characters, ending ${JSON.stringify(xml.slice(-40))})`);
  }
  const contents: NonNullable<ListObjectsV2CommandOutput['Contents']> = [];
  const commonPrefixes: NonNullable<ListObjectsV2CommandOutput['CommonPrefixes']> = [];
  let outside = '';
  let at = 0;
  // The next block of each kind, searched again only once passed: a page without the other kind
  // would otherwise be scanned to its end for every block (quadratic).
  let contentsAt = xml.indexOf('<Contents>');
  let prefixesAt = xml.indexOf('<CommonPrefixes>');
  for (;;) {
    if (contentsAt !== -1 && contentsAt < at) contentsAt = xml.indexOf('<Contents>', at);
    if (prefixesAt !== -1 && prefixesAt < at) prefixesAt = xml.indexOf('<CommonPrefixes>', at);
    const start = contentsAt === -1 ? prefixesAt : prefixesAt === -1 ? contentsAt : Math.min(contentsAt, prefixesAt);
    if (start === -1) break;
    outside += xml.slice(at, start);
    if (start === contentsAt) {
      const end = closing(xml, 'Contents', start);
      // Searched within the block alone, so an element a server leaves out costs no scan of the rest.
      const block = xml.slice(start, end);
      const lastModified = textIn(block, 'LastModified');
      const size = textIn(block, 'Size');
      contents.push({
        Key: textIn(block, 'Key'),
        LastModified: lastModified === undefined ? undefined : new Date(lastModified),
        ETag: textIn(block, 'ETag'),
        Size: size === undefined ? undefined : Number(size),
        StorageClass: textIn(block, 'StorageClass') as NonNullable<ListObjectsV2CommandOutput['Contents']>[number]['StorageClass'],
      });
      at = end;
    } else {
      const end = closing(xml, 'CommonPrefixes', start);
      commonPrefixes.push({ Prefix: textIn(xml.slice(start, end), 'Prefix') });
      at = end;
    }
  }
  outside += xml.slice(at);
  const keyCount = textIn(outside, 'KeyCount');
  const encodingType = textIn(outside, 'EncodingType');
  return {
    ...(encodingType === undefined ? {} : { EncodingType: encodingType as ListPage['EncodingType'] }),
    Contents: contents.length === 0 ? undefined : contents,
    CommonPrefixes: commonPrefixes.length === 0 ? undefined : commonPrefixes,
    IsTruncated: textIn(outside, 'IsTruncated') === 'true',
    NextContinuationToken: textIn(outside, 'NextContinuationToken'),
    KeyCount: keyCount === undefined ? undefined : Number(keyCount),
  };
}

/** The index just past `</tag>` closing the element opened at `start`. */
function closing(xml: string, tag: string, start: number): number {
  const close = `</${tag}>`;
  const end = xml.indexOf(close, start);
  if (end === -1) throw new SyntaxError(`ListObjectsV2 answer: <${tag}> at ${start} is not closed`);
  return end + close.length;
}

/** The decoded text of the first `<tag>` in `xml`; `''` for `<tag/>`. */
function textIn(xml: string, tag: string): string | undefined {
  const open = xml.indexOf(`<${tag}>`);
  if (open === -1) return xml.includes(`<${tag}/>`) ? '' : undefined;
  const textStart = open + tag.length + 2;
  const textEnd = xml.indexOf(`</${tag}>`, textStart);
  if (textEnd === -1) throw new SyntaxError(`ListObjectsV2 answer: <${tag}> at ${open} is not closed`);
  return decodeXmlText(xml.slice(textStart, textEnd));
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** XML character data to text: entities and character references decoded, line ends normalised as XML 1.0 says. */
export function decodeXmlText(text: string): string {
  const normalised = text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
  if (!normalised.includes('&')) return normalised;
  return normalised.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, name: string) => {
    if (name.startsWith('#x')) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number.parseInt(name.slice(1), 10));
    return NAMED_ENTITIES[name] ?? whole;
  });
}
