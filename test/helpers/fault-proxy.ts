import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the proxy saw it. */
export interface SeenRequest {
  readonly index: number;
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** The S3 operation, from method and query (UploadPart, ListObjectsV2, PutObject…). */
  readonly operation: string;
  /** The object key (decoded), without the bucket. */
  readonly key: string;
  /** The Range header, if any. */
  readonly range: string | undefined;
  /** Request body bytes that reached the server. */
  bodyBytes: number;
  status?: number;
  fault?: string;
}

/** What to do to a matching request. */
export type Fault =
  /** Answer with an S3 error status and code, without reaching the server. */
  | { readonly kind: 'status'; readonly status: number; readonly code: string }
  /** Pass `bytes` of the request body on, then cut the connection. */
  | { readonly kind: 'cut-request-body'; readonly afterBytes: number }
  /** Hold the request (the client sees nothing until it gives up or is killed). */
  | { readonly kind: 'hang' }
  /** Read the headers, then stop reading the body and never answer (the client's send stalls). */
  | { readonly kind: 'stall-request-body' }
  /** Wait, then forward. */
  | { readonly kind: 'delay'; readonly ms: number }
  /** Forward (the server applies it), then cut the connection before the answer. */
  | { readonly kind: 'drop-response' }
  /** Forward (the server applies it at once), then hold the answer `ms` before passing it on. */
  | { readonly kind: 'delay-response'; readonly ms: number }
  /** Forward the answer's headers and its first `afterBytes` body bytes, then hold the rest (the client waits mid-body). */
  | { readonly kind: 'stall-response-body'; readonly afterBytes: number }
  /** Forward, and flip one byte of the response body. */
  | { readonly kind: 'corrupt-response'; readonly offset: number }
  /** Forward the request with one byte of its body flipped. */
  | { readonly kind: 'corrupt-request'; readonly offset: number };

/** A fault and the requests it applies to. */
export interface FaultRule {
  readonly when: (request: SeenRequest) => boolean;
  readonly fault: Fault;
  /** How many matching requests it applies to. @defaultValue every one */
  times?: number;
  /** Chance (0–1) that a matching request is hit, drawn from the proxy's seeded generator. */
  readonly probability?: number;
}

/**
 * A fault-injecting HTTP proxy in front of the S3 test server. Requests pass through with their
 * Host header intact, so SigV4 signatures made for the proxy's address still verify. Rules
 * decide, deterministically (seeded), which requests get which fault; every request is logged.
 */
export class FaultProxy {
  readonly log: SeenRequest[] = [];
  #rules: FaultRule[] = [];
  #server: Server | undefined;
  #random: () => number;
  readonly #target: URL;
  readonly #held = new Set<ServerResponse>();

  constructor(target: string, seed = 1) {
    this.#target = new URL(target);
    this.#random = mulberry32(seed);
  }

  /** Starts listening on a free loopback port; returns the endpoint URL. */
  async start(): Promise<string> {
    this.#server = createServer((request, response) => void this.#handle(request, response));
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Replaces the rules (and reseeds, so a test's draws do not depend on earlier tests). */
  setRules(rules: FaultRule[], seed = 1): void {
    this.#rules = rules;
    this.#random = mulberry32(seed);
  }

  /** Requests seen of one operation. */
  seen(operation: string): SeenRequest[] {
    return this.log.filter((entry) => entry.operation === operation);
  }

  async close(): Promise<void> {
    for (const response of this.#held) response.destroy();
    const closed = new Promise<void>((resolve) => (this.#server === undefined ? resolve() : this.#server.close(() => resolve())));
    // close() waits for every connection to end; a client's idle keep-alive socket never would.
    this.#server?.closeAllConnections();
    await closed;
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://proxy');
    const [, , ...keyParts] = url.pathname.split('/');
    const seen: SeenRequest = {
      index: this.log.length,
      method: request.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      operation: operationOf(request.method ?? 'GET', url.searchParams, keyParts.length > 0 && keyParts.join('/') !== ''),
      key: decodeURIComponent(keyParts.join('/')),
      range: request.headers.range,
      bodyBytes: 0,
    };
    this.log.push(seen);
    const fault = this.#faultFor(seen);
    seen.fault = fault?.kind;
    if (fault?.kind === 'status') {
      request.resume();
      request.on('end', () => {
        seen.status = fault.status;
        response.writeHead(fault.status, { 'content-type': 'application/xml' });
        response.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${fault.code}</Code><Message>injected by the test proxy</Message></Error>`);
      });
      return;
    }
    if (fault?.kind === 'hang') {
      this.#held.add(response);
      request.resume();
      return;
    }
    if (fault?.kind === 'stall-request-body') {
      this.#held.add(response);
      request.pause();
      return;
    }
    if (fault?.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.ms));
    const upstream = httpRequest({
      host: this.#target.hostname,
      port: this.#target.port,
      method: request.method,
      path: request.url,
      headers: request.headers,
    });
    upstream.on('error', () => response.destroy());
    upstream.on('response', (answer) => {
      seen.status = answer.statusCode;
      if (fault?.kind === 'drop-response') {
        answer.resume();
        answer.on('end', () => response.destroy());
        return;
      }
      if (fault?.kind === 'corrupt-response') {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const body = Buffer.concat(chunks);
          if (body.length > fault.offset) body[fault.offset] = body[fault.offset]! ^ 0xff;
          response.writeHead(answer.statusCode ?? 500, answer.headers);
          response.end(body);
        });
        return;
      }
      if (fault?.kind === 'stall-response-body') {
        response.writeHead(answer.statusCode ?? 500, answer.headers);
        this.#held.add(response);
        let passed = 0;
        answer.on('data', (chunk: Buffer) => {
          const part = chunk.subarray(0, Math.max(0, fault.afterBytes - passed));
          passed += part.length;
          if (part.length > 0) response.write(part);
          if (passed >= fault.afterBytes) answer.pause();
        });
        return;
      }
      if (fault?.kind === 'delay-response') {
        answer.pause();
        setTimeout(() => {
          response.writeHead(answer.statusCode ?? 500, answer.headers);
          answer.pipe(response);
        }, fault.ms);
        return;
      }
      response.writeHead(answer.statusCode ?? 500, answer.headers);
      answer.pipe(response);
    });
    let forwarded = 0;
    request.on('data', (chunk: Buffer) => {
      if (fault?.kind === 'corrupt-request' && forwarded <= fault.offset && fault.offset < forwarded + chunk.length) {
        chunk = Buffer.from(chunk);
        chunk[fault.offset - forwarded] = chunk[fault.offset - forwarded]! ^ 0xff;
      }
      if (fault?.kind === 'cut-request-body' && forwarded + chunk.length > fault.afterBytes) {
        const part = chunk.subarray(0, Math.max(0, fault.afterBytes - forwarded));
        upstream.write(part);
        forwarded += part.length;
        seen.bodyBytes = forwarded;
        upstream.destroy();
        request.socket.destroy();
        return;
      }
      forwarded += chunk.length;
      seen.bodyBytes = forwarded;
      upstream.write(chunk);
    });
    request.on('end', () => upstream.end());
  }

  #faultFor(seen: SeenRequest): Fault | undefined {
    for (const rule of this.#rules) {
      if ((rule.times ?? Infinity) <= 0 || !rule.when(seen)) continue;
      if (rule.probability !== undefined && this.#random() >= rule.probability) continue;
      if (rule.times !== undefined) rule.times--;
      return rule.fault;
    }
    return undefined;
  }
}

function operationOf(method: string, query: URLSearchParams, hasKey: boolean): string {
  if (method === 'PUT' && query.has('partNumber')) return query.has('x-amz-copy-source') ? 'UploadPartCopy' : 'UploadPart';
  if (method === 'POST' && query.has('uploads')) return 'CreateMultipartUpload';
  if (method === 'POST' && query.has('uploadId')) return 'CompleteMultipartUpload';
  if (method === 'POST' && query.has('delete')) return 'DeleteObjects';
  if (method === 'DELETE' && query.has('uploadId')) return 'AbortMultipartUpload';
  if (method === 'GET' && query.has('uploadId')) return 'ListParts';
  if (method === 'GET' && query.has('uploads')) return 'ListMultipartUploads';
  if (method === 'GET' && query.get('list-type') === '2') return 'ListObjectsV2';
  if (method === 'GET' && !hasKey) return 'ListObjects';
  if (method === 'GET') return 'GetObject';
  if (method === 'HEAD') return hasKey ? 'HeadObject' : 'HeadBucket';
  if (method === 'PUT') return hasKey ? 'PutObject' : 'CreateBucket';
  if (method === 'DELETE') return 'DeleteObject';
  return `${method}?`;
}

/** A small seeded generator: the same seed, the same faults. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
