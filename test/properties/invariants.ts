import { realpathSync } from 'node:fs';
import { join, relative } from 'node:path';
import { uploadStateKey, type UploadRecord } from '../../src/transfer/multipart-file-upload.js';
import type { World } from './scenario.js';
import { objectHash, type BucketSnapshot, type LocalNode, type LocalSnapshot, type S3Node } from './snapshot.js';

/**
 * The safety invariants s3kit promises, as checkers over a {@link World} (a case run and
 * snapshotted before and after). Each returns the violations it found, as sentences naming the
 * path or key; an empty list means the invariant holds. They judge outcomes (bytes on disk and
 * on the server, events, the summary), never how s3kit got there.
 */

/** s3kit's temp files beside a destination (download-object.ts): never content. */
const TEMP_NAME = /^\.s3kit-[0-9a-f]{12}\.part$/;
/** The local destination's directory inside the sandbox. */
const DEST = 'dest';
/** Skip reasons by which a comparator judges the target to hold the source's content already. */
const EQUAL_REASONS = new Set(['size-equal', 'target-not-older', 'mtime-equal', 'checksum-equal']);
/** Warnings that mean "this source entry was passed over", as opposed to links the walk handles by design. */
const LINK_WARNINGS = new Set(['broken-symlink', 'symlink-loop', 'skipped-symlink']);

function show(node: LocalNode | S3Node | undefined): string {
  if (node === undefined) return 'absent';
  if ('etag' in node) return `object ${node.size} B etag ${node.etag}`;
  if (node.type === 'file') return `file ${node.size} B sha256 ${node.hash!.slice(0, 12)}`;
  if (node.type === 'symlink') return `symlink → ${node.link!}`;
  return node.type;
}

function sameLocal(a: LocalNode | undefined, b: LocalNode | undefined): boolean {
  return a?.type === b?.type && a?.size === b?.size && a?.hash === b?.hash && a?.link === b?.link;
}

function sameObject(a: S3Node | undefined, b: S3Node | undefined): boolean {
  return a?.etag === b?.etag && a?.size === b?.size;
}

function union<T>(a: Iterable<T>, b: Iterable<T>): T[] {
  return [...new Set([...a, ...b])];
}

/** Within the local destination (the sandbox's `dest` and below). */
function inLocalDest(world: World, path: string): boolean {
  return world.target.kind === 'local' && (path === DEST || path.startsWith(`${DEST}/`));
}

/** Within the target prefix of the target bucket. */
function inTargetPrefix(world: World, bucket: string, key: string): boolean {
  return world.target.kind === 's3' && bucket === world.target.bucket && key.startsWith(world.target.prefix);
}

/** The destination's entries before or after, by key relative to the destination. */
function localDestEntries(snapshot: LocalSnapshot): Map<string, LocalNode> {
  const entries = new Map<string, LocalNode>();
  for (const [path, node] of snapshot) if (path.startsWith(`${DEST}/`)) entries.set(path.slice(DEST.length + 1), node);
  return entries;
}

function s3DestEntries(world: World, snapshot: BucketSnapshot): Map<string, S3Node> {
  const entries = new Map<string, S3Node>();
  if (world.target.kind !== 's3') return entries;
  for (const [key, node] of snapshot) if (key.startsWith(world.target.prefix) && key !== world.target.prefix) entries.set(key.slice(world.target.prefix.length), node);
  return entries;
}

function limit(violations: string[], max = 15): string[] {
  return violations.length <= max ? violations : [...violations.slice(0, max), `… and ${violations.length - max} more`];
}

/**
 * 1. Nothing outside the destination changed: every local path of the sandbox (source tree,
 * link targets) outside the destination directory, and every object of every bucket outside
 * the target prefix, is as it was.
 */
export function checkOutsideUnchanged(world: World): string[] {
  const violations: string[] = [];
  const { before, after } = world;
  const rewritten = new Set([...world.observation.rewritten.values()].map((rewrite) => rewrite.path));
  for (const path of union(before.local.keys(), after.local.keys())) {
    if (inLocalDest(world, path) || rewritten.has(path)) continue;
    const was = before.local.get(path);
    const now = after.local.get(path);
    if (!sameLocal(was, now)) violations.push(`outside the destination, local ${JSON.stringify(path)} changed: ${show(was)} → ${show(now)}`);
  }
  for (const bucket of world.buckets) {
    const was = before.buckets.get(bucket)!;
    const now = after.buckets.get(bucket)!;
    for (const key of union(was.keys(), now.keys())) {
      if (inTargetPrefix(world, bucket, key)) continue;
      if (!sameObject(was.get(key), now.get(key))) {
        violations.push(`outside the target prefix, s3://${bucket}/${key} changed: ${show(was.get(key))} → ${show(now.get(key))}`);
      }
    }
  }
  return limit(violations);
}

/**
 * 1b. The sync loses nothing of its source: no object under an S3 source prefix that lies
 * inside the target prefix (prefixes that contain each other) changed, vanished or appeared.
 * (Source objects outside the target prefix are covered by {@link checkOutsideUnchanged}, the
 * local source tree by the sandbox snapshot.)
 */
export function checkSourceIntact(world: World): string[] {
  const { source } = world;
  if (source.kind !== 's3') return [];
  const violations: string[] = [];
  const was = world.before.buckets.get(source.bucket)!;
  const now = world.after.buckets.get(source.bucket)!;
  for (const key of union(was.keys(), now.keys())) {
    if (!key.startsWith(source.prefix) || !inTargetPrefix(world, source.bucket, key)) continue;
    if (!sameObject(was.get(key), now.get(key))) violations.push(`the source s3://${source.bucket}/${key} changed: ${show(was.get(key))} → ${show(now.get(key))}`);
  }
  return limit(violations);
}

/**
 * 2. Nothing deleted unless planned, and only after every transfer succeeded: every key that
 * vanished from the destination was a planned delete; no delete is planned without `delete`;
 * each `deleted` event came after the plan was complete and every planned transfer had ended,
 * none failed.
 */
export function checkDeletes(world: World): string[] {
  const violations: string[] = [];
  const { observation } = world;
  const plannedDeletes = new Set(observation.planned.filter((action) => action.type === 'delete').map((action) => action.key));
  const plannedTransfers = observation.planned.filter((action) => action.type === 'copy' || action.type === 'update').length;
  const transferFailures = observation.failures.filter((failure) => failure.transfer);
  if (!world.syncCase.options.delete && plannedDeletes.size > 0) violations.push(`deletes planned without the delete option: ${[...plannedDeletes].join(', ')}`);
  const reported = new Set<string>();
  for (const deleted of observation.deleted) {
    reported.add(deleted.key);
    if (!plannedDeletes.has(deleted.key)) violations.push(`deleted ${JSON.stringify(deleted.key)}, which the plan did not delete`);
    if (!deleted.planComplete || deleted.transferFailures > 0 || deleted.transfersEnded < deleted.plannedTransfers) {
      violations.push(
        `deleted ${JSON.stringify(deleted.key)} before every transfer succeeded (plan complete: ${deleted.planComplete}, ` +
          `transfers ended ${deleted.transfersEnded} of ${deleted.plannedTransfers}, failed ${deleted.transferFailures})`,
      );
    }
  }

  const vanished: string[] = [];
  if (world.target.kind === 'local') {
    const was = localDestEntries(world.before.local);
    const now = localDestEntries(world.after.local);
    for (const [key, node] of was) {
      const after = now.get(key);
      if (node.type === 'dir') {
        // A directory may go only with the files the plan deleted in it.
        if (after === undefined && ![...plannedDeletes].some((planned) => planned.startsWith(`${key}/`))) vanished.push(`${key}/`);
        continue;
      }
      // Gone, or a file replaced by a directory, is a delete; a file or link replaced by a file is an update.
      if (after === undefined || (node.type === 'file' && after.type === 'dir')) vanished.push(key);
    }
  } else {
    const was = s3DestEntries(world, world.before.buckets.get(world.target.bucket)!);
    const now = s3DestEntries(world, world.after.buckets.get(world.target.bucket)!);
    for (const key of was.keys()) if (!now.has(key)) vanished.push(key);
  }
  for (const key of vanished) {
    if (!plannedDeletes.has(key)) {
      violations.push(`${JSON.stringify(key)} vanished from the destination without a planned delete`);
      continue;
    }
    // A delete whose answer was lost (a fault, a kill) is not reported; any other must be.
    if (!reported.has(key) && !world.faulty) violations.push(`${JSON.stringify(key)} was deleted without a deleted event`);
  }
  if (vanished.length > 0 && (!observation.planComplete || transferFailures.length > 0 || observation.transfersEnded < plannedTransfers)) {
    violations.push(
      `${vanished.length} key(s) deleted although not every transfer succeeded (plan complete: ${observation.planComplete}, ` +
        `transfers ended ${observation.transfersEnded} of ${plannedTransfers}, failed ${transferFailures.length}, aborted: ${observation.aborted})`,
    );
  }
  return limit(violations);
}

/**
 * 3. No partial file at a destination path: every destination file or object that is new or
 * changed holds exactly the source's bytes for its key (for a source file rewritten during the
 * run, its old or its new bytes, never a mix). s3kit's `.s3kit-*.part` temp files are
 * not content; they may stay only after an abort, or when a state store keeps a failed
 * download to resume. No symbolic link is ever created in a destination.
 */
export async function checkNoPartialFiles(world: World): Promise<string[]> {
  const violations: string[] = [];
  const { observation, sourceContents } = world;
  if (world.target.kind === 'local') {
    const was = localDestEntries(world.before.local);
    const tempAllowed = observation.aborted || (world.state !== undefined && observation.failures.length > 0);
    for (const [key, node] of localDestEntries(world.after.local)) {
      const name = key.slice(key.lastIndexOf('/') + 1);
      if (node.type === 'file' && TEMP_NAME.test(name)) {
        if (!tempAllowed) violations.push(`temp file ${JSON.stringify(key)} left behind by a run that was not interrupted`);
        continue;
      }
      if (sameLocal(was.get(key), node) || node.type === 'dir') continue;
      if (node.type !== 'file') {
        violations.push(`${JSON.stringify(key)} is now a ${show(node)} (was ${show(was.get(key))}): s3kit writes only files`);
        continue;
      }
      const source = sourceContents.files.get(key);
      if (source === undefined) violations.push(`${JSON.stringify(key)} was written (${show(node)}) but no source key maps to it`);
      else if (source.hash !== node.hash) {
        violations.push(`${JSON.stringify(key)} holds ${show(node)}, not the source's ${source.size} B sha256 ${source.hash.slice(0, 12)}`);
      }
    }
  } else {
    const { bucket } = world.target;
    const was = s3DestEntries(world, world.before.buckets.get(bucket)!);
    for (const [key, node] of s3DestEntries(world, world.after.buckets.get(bucket)!)) {
      if (sameObject(was.get(key), node)) continue;
      const source = sourceContents.files.get(key);
      if (source === undefined) {
        violations.push(`${JSON.stringify(key)} was written (${show(node)}) but no source key maps to it`);
        continue;
      }
      const hash = await objectHash(bucket, world.target.prefix + key);
      // A file rewritten during its upload may arrive old or new, never mixed.
      if (hash !== source.hash && !rewrittenHashes(world, key).includes(hash)) violations.push(`${JSON.stringify(key)} holds ${node.size} B sha256 ${hash.slice(0, 12)}, not the source's ${source.size} B sha256 ${source.hash.slice(0, 12)}`);
    }
  }
  return limit(violations);
}

/** New contents the test wrote during the run to the file behind a local source key (through links too). */
function rewrittenHashes(world: World, key: string): string[] {
  if (world.source.kind !== 'local' || world.observation.rewritten.size === 0) return [];
  let real: string;
  try {
    real = relative(world.sandbox, realpathSync(join(world.source.path, key)));
  } catch {
    return [];
  }
  return [...world.observation.rewritten.values()].filter((rewrite) => rewrite.path === real).map((rewrite) => rewrite.hash);
}

/**
 * 4. No incomplete multipart upload that is not recorded: every upload left open in a bucket is
 * recorded in the run's state store (to be resumed). Uploads whose creation had no answer when
 * the run ended (the request was cut in flight) are ones no client can know of, and pass.
 */
export async function checkMultipartRecorded(world: World): Promise<string[]> {
  const violations: string[] = [];
  for (const [bucket, uploads] of world.after.uploads) {
    for (const upload of uploads) {
      if (world.observation.uploadsCreatedInFlight.has(upload.key)) continue;
      const record = await world.state?.get<UploadRecord>(uploadStateKey(bucket, upload.key));
      if (record?.uploadId !== upload.uploadId) {
        violations.push(
          `multipart upload of s3://${bucket}/${upload.key} (${upload.uploadId}) left open and ` +
            (world.state === undefined ? 'no state store was given to record it' : 'not recorded in the state store'),
        );
      }
    }
  }
  return limit(violations);
}

/** Whether s3kit reported a key (a failure for it, or a warning naming its path). */
function reported(world: World, key: string): boolean {
  const { failures, warnings } = world.observation;
  return failures.some((failure) => failure.key === key || failure.key.startsWith(`${key}/`)) || warnings.some((warning) => warning.path === key || warning.path.endsWith(`/${key}`));
}

async function underExcludedDirectory(world: World, path: string): Promise<boolean> {
  for (let slash = path.indexOf('/'); slash !== -1; slash = path.indexOf('/', slash + 1)) {
    try {
      if (await world.filter.excludesDirectory(path.slice(0, slash + 1))) return true;
    } catch {
      return false;
    }
  }
  return false;
}

async function excluded(world: World, key: string): Promise<boolean | 'unknown'> {
  try {
    return await world.filter.excludesFile(key);
  } catch {
    return 'unknown';
  }
}

/**
 * Source keys that may legitimately fail for a local destination: keys that are not safe local
 * paths (`a//b`, `a/../b`, `./x`), keys whose path a file (or another key) blocks as a directory
 * or the reverse, and keys where the destination holds a symbolic link (refusing to write
 * through it is right). Such keys must be reported as failures, never skipped silently.
 */
function mayFailLocally(world: World, key: string): boolean {
  if (world.target.kind !== 'local') return false;
  const body = key.endsWith('/') ? key.slice(0, -1) : key;
  const segments = body.split('/');
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..') || key.includes('\0')) return true;
  const dest = localDestEntries(world.before.local);
  const keys = new Set([...world.sourceContents.files.keys()]);
  for (let i = 1; i < segments.length; i++) {
    const ancestor = segments.slice(0, i).join('/');
    if (keys.has(ancestor)) return true;
    const node = dest.get(ancestor);
    if (node !== undefined && node.type !== 'dir') return true;
  }
  const node = dest.get(body);
  if (node !== undefined && (node.type === 'symlink' || (node.type === 'dir') !== key.endsWith('/'))) return true;
  // A file key and a directory marker of the same name ("a" and "a/") cannot both be at a local
  // path, nor a file key and a marker below it ("a" and "a/b/"), which makes "a" a directory.
  if (key.endsWith('/') ? keys.has(body) : [...world.sourceContents.markers].some((marker) => marker.startsWith(`${key}/`))) return true;
  return [...keys].some((other) => other.startsWith(`${body}/`));
}

/**
 * 5. Without faults, a run that was allowed leaves the destination equal to the source: every
 * source key the filters include is at the destination with the source's bytes, unless the
 * comparator judged the existing target equal (and left it untouched), or the key legitimately
 * fails and is reported. Nothing else fails. Source entries that cannot become keys (names that
 * are not UTF-8) are reported, and then no delete runs on a listing that left them out. With
 * `delete` and no failure, every destination key the source lacks is gone (excluded keys stay
 * unless `deleteExcluded`).
 */
export async function checkConverged(world: World): Promise<string[]> {
  const { observation, sourceContents } = world;
  if (world.faulty || observation.refused !== undefined) return [];
  if (observation.error !== undefined) {
    const error = observation.error as Error;
    return [`the run rejected without any fault: ${error?.name}: ${error?.message}`];
  }
  const violations: string[] = [];
  const options = world.syncCase.options;
  const skips = new Map(observation.planned.filter((action) => action.type === 'skip').map((action) => [action.key, action.reason] as const));
  const local = world.target.kind === 'local';
  const destBefore = local ? localDestEntries(world.before.local) : s3DestEntries(world, world.before.buckets.get((world.target as { bucket: string }).bucket)!);
  const destAfter = local ? localDestEntries(world.after.local) : s3DestEntries(world, world.after.buckets.get((world.target as { bucket: string }).bucket)!);
  const contentAfter = async (key: string): Promise<string | undefined> => {
    const node = destAfter.get(key);
    if (node === undefined) return undefined;
    if ('etag' in node) return objectHash((world.target as { bucket: string }).bucket, (world.target as { prefix: string }).prefix + key);
    return node.type === 'file' ? node.hash : undefined;
  };
  const included = new Set<string>();
  for (const [key, source] of sourceContents.files) {
    const isExcluded = await excluded(world, key);
    if (isExcluded === true) continue;
    included.add(key);
    if ((await contentAfter(key)) === source.hash) continue;
    const reason = skips.get(key);
    const unchanged = local ? sameLocal(destBefore.get(key) as LocalNode, destAfter.get(key) as LocalNode) : sameObject(destBefore.get(key) as S3Node, destAfter.get(key) as S3Node);
    if (reason !== undefined && EQUAL_REASONS.has(reason) && unchanged && reason !== 'checksum-equal') continue;
    if ((mayFailLocally(world, key) || isExcluded === 'unknown') && reported(world, key)) continue;
    violations.push(
      `source key ${JSON.stringify(key)} (${source.size} B) is not at the destination with its bytes ` +
        `(destination: ${show(destAfter.get(key))}, plan: ${observation.planned.find((action) => action.key === key)?.type ?? 'nothing'}` +
        `${reason === undefined ? '' : ` ${reason}`}, ${reported(world, key) ? 'reported' : 'not reported'})`,
    );
  }
  if (local) {
    for (const marker of sourceContents.markers) {
      if ((await excluded(world, marker)) === true) continue;
      const node = destAfter.get(marker.slice(0, -1)) as LocalNode | undefined;
      if (node?.type === 'dir') continue;
      if (mayFailLocally(world, marker) && reported(world, marker)) continue;
      violations.push(`directory marker ${JSON.stringify(marker)} is not a directory at the destination (${show(node)}), and not reported`);
    }
  }
  for (const failure of observation.failures) {
    if (failure.transfer && mayFailLocally(world, failure.key)) continue;
    if (failure.transfer && (await excluded(world, failure.key)) === 'unknown') continue;
    violations.push(`unexpected failure without any fault: ${JSON.stringify(failure.key)} ${failure.code ?? ''} ${failure.message}`);
  }
  // A name under a directory the filters exclude is never looked at, rightly: it is not passed over.
  const unrepresentable: string[] = [];
  for (const path of sourceContents.unrepresentable) if (!(await underExcludedDirectory(world, path))) unrepresentable.push(path);
  if (unrepresentable.length > 0) {
    const passedOver = observation.warnings.filter((warning) => !LINK_WARNINGS.has(warning.code)).length + observation.failures.length;
    if (passedOver < unrepresentable.length) {
      violations.push(`source entries whose names are not UTF-8 were passed over silently: ${unrepresentable.map((path) => JSON.stringify(path)).join(', ')}`);
    }
    if (observation.deleted.length > 0) {
      violations.push(`${observation.deleted.length} delete(s) ran although the source listing left out ${unrepresentable.length} entr(y/ies) it could not name`);
    }
  }
  // A listing that warned it is incomplete (a name that is not UTF-8, even of an empty directory
  // s3kit cannot enter to see that it is empty) cancels deletes, and says so: that is reported.
  const deletesCancelledAsIncomplete =
    (observation.summary?.deletesSkipped?.reason === 'incomplete-listing' && observation.warnings.some((warning) => warning.incompleteListing)) ||
    // An empty source deletes nothing without an explicit maxDelete: reported as such. Empty
    // after the filters counts: a source whose every file is excluded mirrors nothing either.
    (observation.summary?.deletesSkipped?.reason === 'empty-source' && included.size === 0);
  if (options.delete && observation.failures.length === 0 && unrepresentable.length === 0 && !deletesCancelledAsIncomplete) {
    const destinationWarned = observation.warnings.some((warning) => !LINK_WARNINGS.has(warning.code));
    for (const [key, node] of destAfter) {
      if (included.has(key) || key.endsWith('/')) continue;
      if (!('etag' in node) && (node.type === 'dir' || TEMP_NAME.test(key.slice(key.lastIndexOf('/') + 1)))) continue;
      const isExcluded = await excluded(world, key);
      if (isExcluded === true && !options.deleteExcluded) continue;
      if (reported(world, key)) continue;
      // A name that is not UTF-8 cannot be a key: it must at least have been warned about.
      if (key.includes('\\x') && destinationWarned) continue;
      violations.push(`with delete, ${JSON.stringify(key)} (${show(node)}) is still at the destination though the source lacks it, and nothing was reported`);
    }
  }
  return limit(violations);
}

/**
 * 6. Refusals are clean: when createSyncer or run refused with a ConfigError, nothing at all
 * changed (sandbox, buckets), no upload was left open and no transfer or delete was reported.
 */
export function checkCleanRefusal(world: World): string[] {
  const { observation } = world;
  if (observation.refused === undefined) return [];
  const violations: string[] = [];
  for (const path of union(world.before.local.keys(), world.after.local.keys())) {
    if (!sameLocal(world.before.local.get(path), world.after.local.get(path))) violations.push(`refused run changed local ${JSON.stringify(path)}`);
  }
  for (const bucket of world.buckets) {
    const was = world.before.buckets.get(bucket)!;
    const now = world.after.buckets.get(bucket)!;
    for (const key of union(was.keys(), now.keys())) if (!sameObject(was.get(key), now.get(key))) violations.push(`refused run changed s3://${bucket}/${key}`);
  }
  for (const [bucket, uploads] of world.after.uploads) for (const upload of uploads) violations.push(`refused run left an upload open: s3://${bucket}/${upload.key}`);
  if (observation.transfersEnded > 0 || observation.deleted.length > 0) {
    violations.push(`refused run reported ${observation.transfersEnded} transfer(s) and ${observation.deleted.length} delete(s)`);
  }
  return limit(violations);
}

/** Every invariant, labelled; empty when all hold. */
export async function checkAll(world: World): Promise<string[]> {
  const labelled = (label: string, violations: string[]): string[] => violations.map((violation) => `[${label}] ${violation}`);
  return [
    ...labelled('1 outside-unchanged', checkOutsideUnchanged(world)),
    ...labelled('1 source-intact', checkSourceIntact(world)),
    ...labelled('2 deletes-planned', checkDeletes(world)),
    ...labelled('3 no-partial-file', await checkNoPartialFiles(world)),
    ...labelled('4 multipart-recorded', await checkMultipartRecorded(world)),
    ...labelled('5 converged', await checkConverged(world)),
    ...labelled('6 clean-refusal', checkCleanRefusal(world)),
  ];
}
