import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { GetObjectCommand, ListMultipartUploadsCommand, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import { testClient } from '../helpers/s3.js';

/**
 * Snapshots of what is on disk and in a bucket, taken before and after a run so the invariants
 * can compare them. Local paths are walked as bytes (Buffer paths), so names that are not valid
 * UTF-8 are seen exactly as the file system holds them; nothing here follows a symbolic link
 * unless it says so.
 */

/** One local path as `lstat` sees it. */
export interface LocalNode {
  readonly type: 'file' | 'dir' | 'symlink' | 'other';
  readonly size: number;
  /** SHA-256 of a regular file's bytes. */
  readonly hash?: string;
  /** A symbolic link's target, as stored. */
  readonly link?: string;
}

/** Relative path (see {@link displayName}) → node. The root itself is not included. */
export type LocalSnapshot = Map<string, LocalNode>;

/** A name as text: valid UTF-8 as is, other bytes as `\xNN` (so the map key is unambiguous for our corpus). */
export function displayName(name: Buffer): string {
  if (isValidUtf8(name)) return name.toString('utf8');
  let out = '';
  for (const byte of name) out += byte >= 0x20 && byte < 0x7f && byte !== 0x5c ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`;
  return out;
}

export function isValidUtf8(bytes: Buffer): boolean {
  return Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes);
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function join(parent: Buffer, name: Buffer): Buffer {
  return Buffer.concat([parent, Buffer.from('/'), name]);
}

/** Every path under `root` by `lstat` (symbolic links are recorded, never followed). */
export function snapshotLocal(root: string): LocalSnapshot {
  const snapshot: LocalSnapshot = new Map();
  const walk = (dir: Buffer, prefix: string): void => {
    let names: Buffer[];
    try {
      names = readdirSync(dir, { encoding: 'buffer' });
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(dir, name);
      const relative = prefix + displayName(name);
      const stats = lstatSync(path);
      if (stats.isSymbolicLink()) {
        snapshot.set(relative, { type: 'symlink', size: 0, link: displayName(readlinkSync(path, { encoding: 'buffer' })) });
      } else if (stats.isDirectory()) {
        snapshot.set(relative, { type: 'dir', size: 0 });
        walk(path, `${relative}/`);
      } else if (stats.isFile()) {
        snapshot.set(relative, { type: 'file', size: stats.size, hash: sha256(readFileSync(path)) });
      } else {
        snapshot.set(relative, { type: 'other', size: stats.size });
      }
    }
  };
  walk(Buffer.from(root), '');
  return snapshot;
}

/** The content a sync should carry for one key. */
export interface SourceFile {
  readonly hash: string;
  readonly size: number;
}

/** What a source offers, as the sync should see it. */
export interface SourceContents {
  /** Relative key → content, for every file (not directory marker). */
  readonly files: Map<string, SourceFile>;
  /** S3 directory markers (relative keys ending in `/`). */
  readonly markers: Set<string>;
  /**
   * Source paths that cannot become keys (names that are not valid UTF-8, and everything below
   * such a directory): each must be reported, never skipped silently.
   */
  readonly unrepresentable: string[];
}

/**
 * The files of a local source as a sync following symbolic links should list them: links to
 * files and directories are followed, broken links and links back to an ancestor are passed
 * over. Written independently of s3kit's walk, as the oracle.
 */
export function localSourceContents(root: string): SourceContents {
  const files = new Map<string, SourceFile>();
  const unrepresentable: string[] = [];
  const walk = (dir: Buffer, prefix: string, shownPrefix: string, ancestors: Set<string>): void => {
    let names: Buffer[];
    try {
      names = readdirSync(dir, { encoding: 'buffer' });
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(dir, name);
      let stats;
      try {
        stats = statSync(path);
      } catch {
        continue; // broken link or loop: passed over (with a warning, which is not checked here)
      }
      const valid = isValidUtf8(name);
      if (!stats.isDirectory() && !stats.isFile()) continue;
      if (!valid) {
        // An empty directory holds nothing to lose; one with files must be reported.
        if (stats.isFile() || containsFile(path)) unrepresentable.push(shownPrefix + displayName(name));
        continue;
      }
      const key = prefix + name.toString('utf8');
      if (stats.isDirectory()) {
        const id = `${stats.dev}:${stats.ino}`;
        if (ancestors.has(id)) continue;
        walk(path, `${key}/`, `${key}/`, new Set([...ancestors, id]));
      } else {
        files.set(key, { hash: sha256(readFileSync(path)), size: stats.size });
      }
    }
  };
  const rootStats = statSync(root);
  walk(Buffer.from(root), '', '', new Set([`${rootStats.dev}:${rootStats.ino}`]));
  return { files, markers: new Set(), unrepresentable };
}

/** Whether a directory holds a file anywhere below it (following links). */
function containsFile(dir: Buffer): boolean {
  let names: Buffer[];
  try {
    names = readdirSync(dir, { encoding: 'buffer' });
  } catch {
    return false;
  }
  return names.some((name) => {
    try {
      const stats = lstatSync(join(dir, name));
      return stats.isDirectory() ? containsFile(join(dir, name)) : statSync(join(dir, name)).isFile();
    } catch {
      return false;
    }
  });
}

/** One object as a listing shows it. */
export interface S3Node {
  readonly etag: string;
  readonly size: number;
}

/** Full key → object, for a whole bucket. */
export type BucketSnapshot = Map<string, S3Node>;

export async function snapshotBucket(bucket: string): Promise<BucketSnapshot> {
  const snapshot: BucketSnapshot = new Map();
  for await (const page of paginateListObjectsV2({ client: testClient() }, { Bucket: bucket })) {
    for (const object of page.Contents ?? []) snapshot.set(object.Key!, { etag: (object.ETag ?? '').replaceAll('"', ''), size: object.Size ?? 0 });
  }
  return snapshot;
}

export async function objectHash(bucket: string, key: string): Promise<string> {
  const response = await testClient().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return sha256(Buffer.from(await response.Body!.transformToByteArray()));
}

/** The objects under an S3 prefix, read in full (test sets are small). */
export async function s3SourceContents(bucket: string, prefix: string, snapshot: BucketSnapshot): Promise<SourceContents> {
  const files = new Map<string, SourceFile>();
  const markers = new Set<string>();
  for (const [key, node] of snapshot) {
    if (!key.startsWith(prefix) || key === prefix) continue;
    const relative = key.slice(prefix.length);
    if (relative.endsWith('/')) markers.add(relative);
    else files.set(relative, { hash: await objectHash(bucket, key), size: node.size });
  }
  return { files, markers, unrepresentable: [] };
}

/** A multipart upload that was started and neither completed nor aborted. */
export interface OpenUpload {
  readonly key: string;
  readonly uploadId: string;
}

export async function openUploads(bucket: string): Promise<OpenUpload[]> {
  const uploads: OpenUpload[] = [];
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  for (;;) {
    const page = await testClient().send(new ListMultipartUploadsCommand({ Bucket: bucket, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }));
    for (const upload of page.Uploads ?? []) uploads.push({ key: upload.Key!, uploadId: upload.UploadId! });
    if (page.IsTruncated !== true) return uploads;
    keyMarker = page.NextKeyMarker;
    uploadIdMarker = page.NextUploadIdMarker;
  }
}
