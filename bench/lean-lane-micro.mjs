// Micro-bench for issue 13 item 1: client CPU and wall time per request, AWS SDK v3 client versus
// a hand-rolled lane (SigV4 from @smithy/signature-v4 + node:http keep-alive), against the endpoint
// in S3KIT_TEST_ENDPOINT (source /work/dev-s3.env). Usage: node bench/lean-lane-micro.mjs [N]
import { S3Client, DeleteObjectsCommand, DeleteBucketCommand, PutObjectCommand, HeadObjectCommand, ListObjectsV2Command, CreateBucketCommand } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import http from 'node:http';
import { createHash, createHmac } from 'node:crypto';

// The signer's hash interface over node:crypto (HMAC when given a secret).
class Sha256 {
  constructor(secret) { this.h = secret ? createHmac('sha256', secret) : createHash('sha256'); }
  update(data) { this.h.update(data); }
  async digest() { return new Uint8Array(this.h.digest()); }
}

const N = Number(process.argv[2] ?? 300);
const endpoint = new URL(process.env.S3KIT_TEST_ENDPOINT);
const credentials = { accessKeyId: process.env.S3KIT_TEST_ACCESS_KEY, secretAccessKey: process.env.S3KIT_TEST_SECRET_KEY };
const region = process.env.S3KIT_TEST_REGION ?? 'us-east-1';
const bucket = `lean-micro-${Date.now()}`;
const body = Buffer.alloc(4096, 7);

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const sdk = new S3Client({ endpoint: endpoint.href, region, credentials, forcePathStyle: true, requestHandler: { httpAgent: agent } });
// The SDK as s3kit configures it when checksums are off (no CRC32 of the body): isolates SDK overhead.
const sdkNoSum = new S3Client({ endpoint: endpoint.href, region, credentials, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED', requestHandler: { httpAgent: agent } });
const signer = new SignatureV4({ service: 's3', region, credentials, sha256: Sha256, uriEscapePath: false, applyChecksum: false });

async function lean(method, path, query = {}, payload) {
  const headers = { host: endpoint.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' };
  if (payload) headers['content-length'] = String(payload.length);
  const signed = await signer.sign({ method, protocol: 'http:', hostname: endpoint.hostname, port: Number(endpoint.port), path, query, headers });
  const qs = new URLSearchParams(query).toString();
  return new Promise((resolve, reject) => {
    const req = http.request({ agent, method, host: endpoint.hostname, port: endpoint.port, path: qs ? `${path}?${qs}` : path, headers: signed.headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => (res.statusCode >= 300 ? reject(new Error(`HTTP ${res.statusCode}`)) : resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) })));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

// The same signed request through Node's built-in fetch (undici inside Node; undici is not in
// node_modules, so its own Agent/pool API is not measured here). Keep-alive is undici's default.
async function leanFetch(method, path, query = {}, payload) {
  const headers = { host: endpoint.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' };
  if (payload) headers['content-length'] = String(payload.length);
  const signed = await signer.sign({ method, protocol: 'http:', hostname: endpoint.hostname, port: Number(endpoint.port), path, query, headers });
  const qs = new URLSearchParams(query).toString();
  const h = { ...signed.headers }; delete h.host; delete h['content-length'];
  const res = await fetch(`${endpoint.origin}${path}${qs ? `?${qs}` : ''}`, { method, headers: h, body: payload });
  const buf = Buffer.from(await res.arrayBuffer());
  if (res.status >= 300) throw new Error(`HTTP ${res.status}`);
  return { status: res.status, headers: res.headers, body: buf };
}

// A minimal ListObjectsV2 reader: keys, sizes, ETags, continuation token (regex, no DOM).
function parseList(xml) {
  const s = xml.toString('utf8');
  const contents = [];
  for (const m of s.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
    const c = m[1];
    contents.push({ Key: /<Key>([\s\S]*?)<\/Key>/.exec(c)[1], Size: Number(/<Size>(\d+)<\/Size>/.exec(c)[1]), ETag: /<ETag>([\s\S]*?)<\/ETag>/.exec(c)?.[1] });
  }
  return { contents, token: /<NextContinuationToken>([\s\S]*?)<\/NextContinuationToken>/.exec(s)?.[1] };
}

const ops = {
  put: { sdk: (i) => sdk.send(new PutObjectCommand({ Bucket: bucket, Key: `p/${i}`, Body: body })), sdkNoSum: (i) => sdkNoSum.send(new PutObjectCommand({ Bucket: bucket, Key: `p/${i}`, Body: body })), lean: (i) => lean('PUT', `/${bucket}/p/${i}`, {}, body), fetch: (i) => leanFetch('PUT', `/${bucket}/p/${i}`, {}, body) },
  head: { sdk: (i) => sdk.send(new HeadObjectCommand({ Bucket: bucket, Key: `p/${i % 100}` })), lean: (i) => lean('HEAD', `/${bucket}/p/${i % 100}`), fetch: (i) => leanFetch('HEAD', `/${bucket}/p/${i % 100}`) },
  list1000: {
    sdk: () => sdk.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'l/' })),
    lean: async () => { const r = await lean('GET', `/${bucket}`, { 'list-type': '2', prefix: 'l/' }); if (parseList(r.body).contents.length !== 1000) throw new Error('short list'); },
    fetch: async () => { const r = await leanFetch('GET', `/${bucket}`, { 'list-type': '2', prefix: 'l/' }); if (parseList(r.body).contents.length !== 1000) throw new Error('short list'); },
  },
};

async function run(fn, n, concurrency) {
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => { while (next < n) await fn(next++); }));
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { cpuMsPerReq: (cpu.user + cpu.system) / 1000 / n, wallMsPerReq: wall / n, reqPerSec: (n / wall) * 1000 };
}

await sdk.send(new CreateBucketCommand({ Bucket: bucket }));
// Seed 1000 keys for the listing (lean lane, 16 wide) and warm both lanes.
{ let i = 0; await Promise.all(Array.from({ length: 16 }, async () => { while (i < 1000) { const k = i++; await lean('PUT', `/${bucket}/l/${String(k).padStart(5, '0')}`, {}, Buffer.alloc(1)); } })); }
for (const op of Object.values(ops)) for (const fn of Object.values(op)) await run(fn, 20, 4);

const rows = [];
for (const [name, op] of Object.entries(ops)) {
  const n = name === 'list1000' ? Math.max(20, Math.floor(N / 10)) : N;
  for (const concurrency of [1, 16]) {
    for (const lane of ['sdk', 'sdkNoSum', 'lean', 'fetch']) {
      if (!op[lane]) continue;
      const r = await run(op[lane], n, concurrency);
      rows.push({ op: name, lane, concurrency, n, cpuMs: r.cpuMsPerReq.toFixed(3), wallMs: r.wallMsPerReq.toFixed(3), reqPerSec: r.reqPerSec.toFixed(0) });
    }
  }
}
// XML parsing alone: the SDK deserializer path is inside 'list1000 sdk'; here the regex reader alone.
const sample = (await lean('GET', `/${bucket}`, { 'list-type': '2', prefix: 'l/' })).body;
{ const cpu0 = process.cpuUsage(); for (let i = 0; i < 200; i++) parseList(sample); const c = process.cpuUsage(cpu0); rows.push({ op: 'parse list1000 xml (regex reader)', lane: 'lean', concurrency: 1, n: 200, cpuMs: ((c.user + c.system) / 1000 / 200).toFixed(3), wallMs: '-', reqPerSec: '-' }); }
// The SDK's own XML parser (@aws-sdk/xml-builder parseXML; the SDK no longer uses fast-xml-parser, which is
// not in node_modules), parse only, without the SDK's shape deserialization.
{
  const { createRequire } = await import('node:module');
  const req = createRequire(createRequire(import.meta.url).resolve('@aws-sdk/core'));
  const { parseXML } = req('@aws-sdk/xml-builder');
  const text = sample.toString('utf8');
  const cpu0 = process.cpuUsage(); for (let i = 0; i < 200; i++) parseXML(text); const c = process.cpuUsage(cpu0);
  rows.push({ op: 'parse list1000 xml (SDK parseXML)', lane: 'sdk', concurrency: 1, n: 200, cpuMs: ((c.user + c.system) / 1000 / 200).toFixed(3), wallMs: '-', reqPerSec: '-' });
}
console.table(rows);
// Leave the shared server as found.
for (const prefix of ['p/', 'l/']) {
  const keys = [];
  for (let i = 0; i < (prefix === 'l/' ? 1000 : N); i++) keys.push({ Key: prefix === 'l/' ? `l/${String(i).padStart(5, '0')}` : `p/${i}` });
  for (let i = 0; i < keys.length; i += 1000) await sdk.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.slice(i, i + 1000), Quiet: true } }));
}
await sdk.send(new DeleteBucketCommand({ Bucket: bucket }));
agent.destroy();
