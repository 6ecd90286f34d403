import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AbortMultipartUploadCommand, DeleteBucketCommand, DeleteObjectsCommand } from '@aws-sdk/client-s3';
import {
  ConfigError,
  createSyncer,
  jsonFileStore,
  KeyFilter,
  memoryStore,
  type Action,
  type StateStore,
  type SyncOptions,
  type SyncSummary,
  type SyncWarning,
  type Syncer,
  type TransferAction,
} from 's3kit';
import type { Fault, FaultProxy, FaultRule } from '../helpers/fault-proxy.js';
import { tempDir } from '../helpers/files.js';
import { createTestBucket, putObject, syncOptions, testClient } from '../helpers/s3.js';
import type { FaultRuleSpec, FaultSpec, Name, ObjectSpec, SyncCase, TreeSpec } from './arbitraries.js';
import {
  localSourceContents,
  openUploads,
  s3SourceContents,
  sha256,
  snapshotBucket,
  snapshotLocal,
  type BucketSnapshot,
  type LocalSnapshot,
  type OpenUpload,
  type SourceContents,
} from './snapshot.js';

const MiB = 1024 * 1024;
/** The big file of multipart cases: above the 5 MiB threshold and part size (the S3 minimum). */
const BIG_SIZE = 6 * MiB;

/** Deterministic bytes (xorshift), different for every seed. */
export function contentOf(size: number, seed: number): Buffer {
  const buffer = Buffer.alloc(size);
  let x = (seed * 2654435761 + 0x9e3779b9) >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    buffer[i] = x & 0xff;
  }
  return buffer;
}

/** A side of a sync, as the checks see it. */
export type Side = { readonly kind: 'local'; readonly path: string } | { readonly kind: 's3'; readonly bucket: string; readonly prefix: string };

/** A delete as the `deleted` event reported it, with what had happened before it. */
export interface ObservedDelete {
  readonly key: string;
  readonly planComplete: boolean;
  readonly plannedTransfers: number;
  readonly transfersEnded: number;
  readonly transferFailures: number;
}

export interface ObservedFailure {
  readonly key: string;
  /** True for a failed transfer, false for a failed delete. */
  readonly transfer: boolean;
  readonly code: string | undefined;
  readonly message: string;
}

/** Everything the run said and did. */
export interface Observation {
  /** createSyncer or run refused with a ConfigError. */
  refused: ConfigError | undefined;
  /** createSyncer or run threw or rejected with anything else. */
  error: unknown;
  summary: SyncSummary | undefined;
  /** The abort signal fired before the run settled. */
  aborted: boolean;
  readonly planned: Action[];
  planComplete: boolean;
  readonly failures: ObservedFailure[];
  readonly warnings: SyncWarning[];
  readonly deleted: ObservedDelete[];
  transfersEnded: number;
  /** Source files the test rewrote during the run: key → sandbox-relative real path and the new content's hash. */
  readonly rewritten: Map<string, { readonly path: string; readonly hash: string }>;
  /** Multipart uploads whose CreateMultipartUpload had no answer when the run settled (lost in flight). */
  readonly uploadsCreatedInFlight: Set<string>;
}

/** A source file to rewrite during the run, and how. */
interface Rewrite {
  readonly which: number | 'big.bin';
  readonly apply: (path: string, size: number) => { readonly path: string; readonly hash: string };
}

/** One case, set up, run and snapshotted before and after: what the invariants read. */
export interface World {
  readonly syncCase: SyncCase;
  /** Holds `src/` (a local source), `dest/` (a local destination) and `outside/` (link targets). */
  readonly sandbox: string;
  readonly source: Side;
  readonly target: Side;
  readonly buckets: readonly string[];
  readonly state: StateStore | undefined;
  /** A fault was injected or the abort fired before the run settled. */
  readonly faulty: boolean;
  readonly filter: KeyFilter;
  readonly sourceContents: SourceContents;
  readonly before: { readonly local: LocalSnapshot; readonly buckets: ReadonlyMap<string, BucketSnapshot> };
  readonly after: { readonly local: LocalSnapshot; readonly buckets: ReadonlyMap<string, BucketSnapshot>; readonly uploads: ReadonlyMap<string, OpenUpload[]> };
  readonly observation: Observation;
}

export interface RunCaseOptions {
  /** Send the sync's requests through this proxy with these faults. */
  readonly proxy?: { readonly instance: FaultProxy; readonly endpoint: string; readonly faults: FaultSpec };
}

/** Sets a case up on disk and in fresh buckets, runs it, and snapshots everything around it. */
export async function runCase(syncCase: SyncCase, runOptions: RunCaseOptions = {}): Promise<World> {
  const started = Date.now();
  const sandbox = await tempDir('prop');
  const outside = join(sandbox, 'outside');
  await mkdir(join(outside, 'od'), { recursive: true });
  await writeFile(join(outside, 'o1'), contentOf(10, 9991));
  await writeFile(join(outside, 'od', 'o1'), contentOf(11, 9992));
  await writeFile(join(outside, 'od', 'o2'), contentOf(12, 9993));

  const targetBucket = await createTestBucket('prop');
  const buckets = [targetBucket];
  let source: Side;
  let target: Side;
  const prefixOf = (prefix: string): string => (prefix === '' ? '' : `${prefix}/`);
  const putAll = async (bucket: string, prefix: string, specs: readonly ObjectSpec[]): Promise<void> => {
    for (const spec of specs) await putObject(bucket, prefix + spec.key, spec.key.endsWith('/') ? Buffer.alloc(0) : contentOf(spec.size, spec.seed));
  };

  if (syncCase.direction === 'local-to-s3') {
    const root = join(sandbox, 'src');
    materializeTree(root, syncCase.tree, outside);
    if (syncCase.big) writeFileSync(join(root, 'big.bin'), contentOf(BIG_SIZE, 77));
    source = { kind: 'local', path: root };
    target = { kind: 's3', bucket: targetBucket, prefix: prefixOf(syncCase.targetPrefix) };
    await putAll(targetBucket, target.prefix, syncCase.existing);
    await putAll(targetBucket, '', syncCase.outside);
  } else if (syncCase.direction === 's3-to-local') {
    source = { kind: 's3', bucket: targetBucket, prefix: prefixOf(syncCase.sourcePrefix) };
    await putAll(targetBucket, source.prefix, syncCase.objects);
    if (syncCase.big) await putObject(targetBucket, `${source.prefix}big.bin`, contentOf(BIG_SIZE, 78));
    await putObject(targetBucket, 'elsewhere/not-synced', 'x');
    const root = join(sandbox, 'dest');
    materializeTree(root, syncCase.dest, outside);
    target = { kind: 'local', path: root };
  } else {
    const sourceBucket = syncCase.twoBuckets ? await createTestBucket('prop-src') : targetBucket;
    if (sourceBucket !== targetBucket) buckets.push(sourceBucket);
    source = { kind: 's3', bucket: sourceBucket, prefix: prefixOf(syncCase.sourcePrefix) };
    target = { kind: 's3', bucket: targetBucket, prefix: prefixOf(syncCase.targetPrefix) };
    await putAll(targetBucket, target.prefix, syncCase.targetObjects);
    await putAll(sourceBucket, source.prefix, syncCase.sourceObjects);
    if (syncCase.big) await putObject(sourceBucket, `${source.prefix}big.bin`, contentOf(BIG_SIZE, 79));
    await putAll(targetBucket, '', syncCase.outside);
  }

  const options = syncCase.options;
  const state =
    options.state === 'memory' ? memoryStore() : options.state === 'json' ? jsonFileStore(join(await tempDir('prop-state'), 'state.json')) : undefined;
  const before = { local: snapshotLocal(sandbox), buckets: await snapshotBuckets(buckets) };
  const sourceContents =
    source.kind === 'local' ? localSourceContents(source.path) : await s3SourceContents(source.bucket, source.prefix, before.buckets.get(source.bucket)!);
  const filter = new KeyFilter({ ignorePatterns: options.ignorePatterns, rules: options.rules });

  const url = (side: Side): string => (side.kind === 'local' ? side.path : `s3://${side.bucket}/${side.prefix}`);
  const proxy = runOptions.proxy;
  const syncOptionsFor: SyncOptions = syncOptions(url(source), url(target), {
    ...(proxy === undefined ? {} : { endpoint: proxy.endpoint }),
    delete: options.delete,
    deleteExcluded: options.deleteExcluded,
    compare: options.compare,
    ignorePatterns: options.ignorePatterns,
    rules: options.rules,
    concurrency: options.concurrency,
    state,
    multipartThreshold: 5 * MiB,
    partSize: 5 * MiB,
    multipartCopyThreshold: 5 * MiB,
  });
  if (proxy !== undefined) {
    proxy.instance.setRules(proxy.faults.rules.map(toProxyRule), proxy.faults.seed);
    proxy.instance.log.length = 0;
  }

  const setUpMs = Date.now() - started;
  if (process.env.S3KIT_PROPERTY_DEBUG) console.log(`[properties] running ${JSON.stringify(syncCase)} ${JSON.stringify(proxy?.faults)}`);
  const which = proxy?.faults.rewrite;
  const rewrite: Rewrite | undefined =
    which === undefined || source.kind !== 'local'
      ? undefined
      : {
          which,
          // Same size for an even pick (a size check cannot see it), three bytes longer otherwise.
          apply: (path, size) => {
            const content = contentOf(size + (typeof which === 'number' && which % 2 === 0 ? 0 : 3), 4242);
            writeFileSync(path, content);
            return { path: relative(sandbox, realpathSync(path)), hash: sha256(content) };
          },
        };
  const observation = await observeRun(syncOptionsFor, proxy?.faults.abortAfterMs, rewrite);
  const runMs = Date.now() - started - setUpMs;
  if (proxy !== undefined) {
    // Requests the run had sent but that had no answer when it settled (a kill cuts them
    // mid-flight): a multipart upload created by one of them is one s3kit never heard of.
    for (const request of proxy.instance.log) if (request.operation === 'CreateMultipartUpload' && request.status === undefined) observation.uploadsCreatedInFlight.add(request.key);
    // Let requests already forwarded to the server land before looking (the proxy does not cancel them).
    await sleep(300);
    for (const request of proxy.instance.log) if (request.operation === 'CreateMultipartUpload' && request.status === undefined) observation.uploadsCreatedInFlight.add(request.key);
    proxy.instance.setRules([]);
  }

  const after = {
    local: snapshotLocal(sandbox),
    buckets: await snapshotBuckets(buckets),
    uploads: new Map(await Promise.all(buckets.map(async (bucket) => [bucket, await openUploads(bucket)] as const))),
  };
  if (process.env.S3KIT_PROPERTY_DEBUG) console.log(`[properties] ${syncCase.direction}: set-up ${setUpMs} ms, run ${runMs} ms, snapshots ${Date.now() - started - setUpMs - runMs} ms`);
  return {
    syncCase,
    sandbox,
    source,
    target,
    buckets,
    state,
    // Judged by what happened: a schedule whose rules matched nothing and whose abort came too late is a clean run.
    faulty: observation.aborted || observation.rewritten.size > 0 || (proxy?.instance.log.some((request) => request.fault !== undefined) ?? false),
    filter,
    sourceContents,
    before,
    after,
    observation,
  };
}

async function snapshotBuckets(buckets: readonly string[]): Promise<Map<string, BucketSnapshot>> {
  return new Map(await Promise.all(buckets.map(async (bucket) => [bucket, await snapshotBucket(bucket)] as const)));
}

/** Creates the syncer, listens to everything it says, runs it (aborting after `abortAfterMs`). */
async function observeRun(options: SyncOptions, abortAfterMs: number | undefined, rewrite: Rewrite | undefined): Promise<Observation> {
  const observation: Observation = {
    refused: undefined,
    error: undefined,
    summary: undefined,
    aborted: false,
    planned: [],
    planComplete: false,
    failures: [],
    warnings: [],
    deleted: [],
    transfersEnded: 0,
    rewritten: new Map(),
    uploadsCreatedInFlight: new Set(),
  };
  const settle = (error: unknown): void => {
    if (error instanceof ConfigError) observation.refused = error;
    else observation.error = error;
  };
  let syncer: Syncer;
  try {
    syncer = createSyncer(options);
  } catch (error) {
    settle(error);
    return observation;
  }
  let transferFailures = 0;
  const plannedTransfers = (): number => observation.planned.filter((action) => action.type === 'copy' || action.type === 'update').length;
  syncer.on('planned', ({ action }) => observation.planned.push(action));
  syncer.on('planComplete', () => (observation.planComplete = true));
  syncer.on('warning', (warning) => observation.warnings.push(warning));
  syncer.on('transferEnd', () => observation.transfersEnded++);
  syncer.on('failed', ({ key, action, error }) => {
    if (action !== undefined) transferFailures++;
    observation.failures.push({ key, transfer: action !== undefined, code: (error as { code?: string }).code, message: error.message });
  });
  syncer.on('deleted', ({ key }) =>
    observation.deleted.push({
      key,
      planComplete: observation.planComplete,
      plannedTransfers: plannedTransfers(),
      transfersEnded: observation.transfersEnded,
      transferFailures,
    }),
  );
  syncer.on('done', ({ summary }) => (observation.summary = summary));
  if (rewrite !== undefined) {
    const started: TransferAction[] = [];
    const chosen = (key: string): boolean => (rewrite.which === 'big.bin' ? key === 'big.bin' : started[rewrite.which]?.key === key);
    const apply = (action: TransferAction): void => {
      if (observation.rewritten.has(action.key) || action.source.path === undefined) return;
      observation.rewritten.set(action.key, rewrite.apply(action.source.path, action.source.size));
    };
    syncer.on('transferStart', ({ action }) => {
      started.push(action);
      if (chosen(action.key) && action.source.size < options.multipartThreshold!) apply(action);
    });
    syncer.on('progress', ({ key }) => {
      const action = started.find((candidate) => candidate.key === key);
      if (action !== undefined && chosen(key)) apply(action);
    });
  }
  const controller = new AbortController();
  let fired = false;
  const timer =
    abortAfterMs === undefined
      ? undefined
      : setTimeout(() => {
          fired = true;
          controller.abort(new Error('property test: run aborted'));
        }, abortAfterMs);
  try {
    observation.summary = await syncer.run({ signal: controller.signal });
  } catch (error) {
    settle(error);
  } finally {
    clearTimeout(timer);
    observation.aborted = fired;
  }
  return observation;
}

/** Turns a generated fault rule into the proxy's, with fresh counters. */
function toProxyRule(spec: FaultRuleSpec): FaultRule {
  const fault: Fault =
    spec.kind === 'status-500'
      ? { kind: 'status', status: 500, code: 'InternalError' }
      : spec.kind === 'status-503'
        ? { kind: 'status', status: 503, code: 'SlowDown' }
        : spec.kind === 'cut-request-body'
          ? { kind: 'cut-request-body', afterBytes: 100 }
          : spec.kind === 'corrupt-response'
            ? { kind: 'corrupt-response', offset: 10 }
            : spec.kind === 'corrupt-request'
              ? { kind: 'corrupt-request', offset: 10 }
              : { kind: spec.kind };
  return {
    when: (request) => {
      if (spec.operation !== '*' && request.operation !== spec.operation) return false;
      // A lost answer to CreateMultipartUpload leaves an upload no client can know of; not s3kit's to clean up.
      if (spec.kind === 'drop-response' && request.operation === 'CreateMultipartUpload') return false;
      // A flipped byte in a listing makes up keys; corrupted downloads are what is tested.
      if (spec.kind === 'corrupt-response' && request.operation !== 'GetObject') return false;
      return true;
    },
    fault,
    times: spec.times,
    probability: spec.percent / 100,
  };
}

function nameBytes(name: Name): Buffer {
  return typeof name === 'string' ? Buffer.from(name, 'utf8') : Buffer.from(name.bytes);
}

function pathBytes(root: string, segments: readonly Name[]): Buffer {
  const parts: Buffer[] = [Buffer.from(root)];
  for (const segment of segments) parts.push(Buffer.from('/'), nameBytes(segment));
  return Buffer.concat(parts);
}

function parentOf(path: Buffer): Buffer {
  return path.subarray(0, path.lastIndexOf(0x2f));
}

/**
 * Empties and removes a case's buckets (the test server keeps objects in memory; a long run
 * creates hundreds of buckets). Kept when the case failed, for inspection.
 */
export async function removeBuckets(buckets: readonly string[]): Promise<void> {
  const client = testClient();
  for (const bucket of buckets) {
    for (const upload of await openUploads(bucket)) {
      await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.key, UploadId: upload.uploadId }));
    }
    const keys = [...(await snapshotBucket(bucket)).keys()];
    for (let i = 0; i < keys.length; i += 1000) {
      await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })) } }));
    }
    await client.send(new DeleteBucketCommand({ Bucket: bucket }));
  }
}

/** Writes a tree under `root`; a path that conflicts with an earlier one is left out. */
export function materializeTree(root: string, tree: TreeSpec, outside: string): void {
  mkdirSync(root, { recursive: true });
  const created: Buffer[] = [];
  for (const file of tree.files) {
    const path = pathBytes(root, file.path);
    try {
      mkdirSync(parentOf(path), { recursive: true });
      writeFileSync(path, contentOf(file.size, file.seed), { flag: 'wx' });
      created.push(path);
    } catch {
      // conflicts with an earlier path
    }
  }
  for (const dir of tree.dirs) {
    try {
      mkdirSync(pathBytes(root, dir), { recursive: true });
    } catch {
      // conflicts with a file
    }
  }
  for (const link of tree.links) {
    const path = pathBytes(root, link.path);
    const to = link.to;
    const target =
      to === 'outside-file'
        ? Buffer.from(join(outside, 'o1'))
        : to === 'outside-dir'
          ? Buffer.from(join(outside, 'od'))
          : to === 'broken'
            ? Buffer.from(join(outside, 'nothing-here'))
            : to === 'root'
              ? Buffer.from(root)
              : (created[to.file % Math.max(1, created.length)] ?? Buffer.from(join(outside, 'nothing-here')));
    try {
      mkdirSync(parentOf(path), { recursive: true });
      symlinkSync(target, path);
    } catch {
      // conflicts with an earlier path
    }
  }
}
