#!/usr/bin/env node
// Checks the imports of src/**/*.ts against the rooms table of the architecture (which room may
// import which). Prints every import that breaks it and exits 1; exits 0 when all are allowed.
// No dependencies: import and export lines are read with regular expressions, which is enough for
// this code base (ES module syntax only, one specifier per statement).
//
//   node scripts/check-deps.mjs [root]      (npm run check:deps; root defaults to this repository)
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
const src = join(root, 'src');

/**
 * What each room may import, room by room: 'value' allows any import, 'type' only type-only ones
 * (`import type`, `export type`, or braces whose every name is marked `type`: TypeScript erases
 * them, so they add no runtime dependency). A room may always import itself. `index` is
 * src/index.ts, the public API, which the CLI imports by the package name 's3kit' (and the
 * subpaths' entry points, such as src/jobs/index.ts as 's3kit/jobs').
 */
const rules = {
  core: {},
  listing: { core: 'value' },
  compare: { core: 'value' },
  plan: { core: 'value', compare: 'type' },
  strategies: { core: 'value' },
  transfer: { core: 'value', state: 'type' },
  state: { core: 'value' },
  syncer: { core: 'value', listing: 'value', compare: 'value', plan: 'value', strategies: 'value', transfer: 'value', state: 'value' },
  config: {
    core: 'value',
    syncer: 'type',
    // Beyond the table: a job names a strategy, and only the StrategyResolver knows which
    // strategies exist and what their options are; validating a config without it would repeat
    // that knowledge in the schema.
    strategies: 'value',
  },
  jobs: {
    // Beyond the table: core is the vocabulary (errors, locations, redaction) that every library
    // room speaks; the table's jobs row names only its collaborators.
    core: 'value',
    syncer: 'value',
    strategies: 'value',
    state: 'value',
    config: 'value',
    // The root's public API, as the architecture wants of jobs and the other future subpaths
    // (S3 clients and their options come from there, not from transfer/).
    index: 'value',
  },
  admin: {
    // The s3kit/admin subpath (validators, templates, policy merge): core is the vocabulary
    // (ConfigError and the other errors); the root's public API is what the architecture lets
    // every subpath build on, never another room's internals.
    core: 'value',
    index: 'value',
  },
  versions: {
    // The s3kit/versions subpath (list versions, the state at a time, restore): core is the
    // vocabulary (errors, key order, ETags); clients, listings, the copier and the error classes
    // come from the root's public API.
    core: 'value',
    index: 'value',
    // Beyond the table: a restore to a local directory writes files exactly as a sync's download
    // does, and must keep the same guarantees (no write, rename or delete through a symbolic
    // link, unsafe keys refused, the same temp-file names that walks pass over, the same error
    // wrapping). These are transfer/'s internal helpers (local-destination, local-key-path,
    // delete-local, file-digest, transfer-error, the temp-name pattern); exporting them from the
    // root would make them public API, and copying them would let two rules drift apart.
    transfer: 'value',
    // Beyond the table: a restore applying a saved plan holds the verified actions back in the
    // spill queue a sync uses for the same rule (state/spill-queue.ts), so memory stays flat.
    state: 'value',
    // Beyond the table: a restore's plan file is written and read beside a sync's, in plan/
    // (plan/restore-plan-file.ts shares its connection schema and line rules); s3kit/versions
    // is where users find it.
    plan: 'value',
  },
  // The CLI uses the public entry points only ('s3kit', 's3kit/jobs', 's3kit/admin', 's3kit/versions'), as a user would.
  cli: { index: 'value' },
  // The public API re-exports every room by name.
  index: Object.fromEntries(['core', 'listing', 'compare', 'plan', 'strategies', 'transfer', 'state', 'syncer', 'config', 'jobs'].map((room) => [room, 'value'])),
};

/**
 * Single imports allowed although the table forbids them, each with its reason. `from` and `to`
 * are paths under the repository root. An exception that no longer matches an import is reported
 * (without failing) so it can be removed.
 */
const exceptions = [
  // Deliberate: a config is refused when a job's source and target overlap, judged by the very
  // rule the syncer applies at run time (one rule, so the config check and the run never disagree).
  { from: 'src/config/load-config.ts', to: 'src/syncer/overlap.ts', reason: 'config validates jobs with the syncer\'s one overlap rule' },

];

const ROOMS = new Set(Object.keys(rules));

/**
 * core/ is vocabulary: it does no I/O (these modules) and does not decide how a transfer fails
 * (it defines TransferError for the other rooms, but never throws one).
 */
const IO_MODULES = /^(node:)?(fs|fs\/promises|net|http|https|http2|child_process|dgram|tls)$/;
const TRANSFER_POLICY = /\bnew\s+TransferError\s*\(/g;

function* sourceFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) yield path;
  }
}

/** The room of a file under src/: its first directory, or `index` for src/index.ts. */
function roomOf(file) {
  const parts = relative(src, file).split(sep);
  if (parts.length === 1) return parts[0] === 'index.ts' ? 'index' : undefined;
  return parts[0];
}

/** Block comments blanked (line breaks kept, so line numbers stay right). */
function withoutBlockComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, (comment) => comment.replace(/[^\n]/g, ' '));
}

/** True when the braces hold names only, each marked `type` (`{ type A, type B as C }`). */
function allInlineTypes(clause) {
  const braces = /^\{([\s\S]*)\}$/.exec(clause.trim());
  if (braces === null) return false;
  const names = braces[1].split(',').map((name) => name.trim()).filter((name) => name !== '');
  return names.length > 0 && names.every((name) => /^type\s/.test(name));
}

/** Every import and re-export of a file: { line, specifier, typeOnly }. */
function importsOf(text) {
  const found = [];
  const code = withoutBlockComments(text);
  const lineAt = (index) => code.slice(0, index).split('\n').length;
  // `import … from '…'`, `import type … from '…'`, `export { … } from '…'`, `export * from '…'`;
  // [^;]* lets a statement span lines but never crosses into the next statement.
  const statement = /^[ \t]*(import|export)\s+(type\s+)?([^;]*?)\s*from\s*(['"])([^'"]+)\4/gm;
  for (const match of code.matchAll(statement)) {
    const [, , typeKeyword, clause, , specifier] = match;
    found.push({ line: lineAt(match.index), specifier, typeOnly: typeKeyword !== undefined || allInlineTypes(clause) });
  }
  for (const match of code.matchAll(/^[ \t]*import\s*(['"])([^'"]+)\1/gm)) {
    found.push({ line: lineAt(match.index), specifier: match[2], typeOnly: false });
  }
  for (const match of code.matchAll(/\bimport\(\s*(['"])([^'"]+)\1\s*\)/g)) {
    found.push({ line: lineAt(match.index), specifier: match[2], typeOnly: false });
  }
  return found;
}

/** The file and room an internal specifier names, or undefined for a package. */
function resolveInternal(fromFile, specifier) {
  if (specifier === 's3kit') return { file: join(src, 'index.ts'), room: 'index' };
  // A subpath (s3kit/jobs) is a public entry point too: src/<name>/index.ts, counted as the public API.
  if (specifier.startsWith('s3kit/')) return { file: join(src, specifier.slice('s3kit/'.length), 'index.ts'), room: 'index' };
  if (!specifier.startsWith('.')) return undefined;
  const file = resolve(dirname(fromFile), specifier).replace(/\.js$/, '.ts');
  return { file, room: file.startsWith(src + sep) ? roomOf(file) : undefined };
}

const violations = [];
const used = new Set();
for (const file of sourceFiles(src)) {
  const room = roomOf(file);
  const from = relative(root, file);
  if (room === undefined || !ROOMS.has(room)) {
    violations.push(`${from}: not in a room of the table (${Object.keys(rules).join(', ')})`);
    continue;
  }
  const text = readFileSync(file, 'utf8');
  if (room === 'core') {
    const code = withoutBlockComments(text);
    for (const match of code.matchAll(TRANSFER_POLICY)) {
      violations.push(`${from}:${code.slice(0, match.index).split('\n').length}  core throws a TransferError (how a transfer fails is transfer/'s to say; return a result instead)`);
    }
  }
  for (const { line, specifier, typeOnly } of importsOf(text)) {
    if (room === 'core' && IO_MODULES.test(specifier)) {
      violations.push(`${from}:${line}  core does I/O: imports '${specifier}' (core is vocabulary; I/O belongs to listing/ or transfer/)`);
      continue;
    }
    const target = resolveInternal(file, specifier);
    if (target === undefined) continue;
    const to = relative(root, target.file);
    if (target.room === undefined || !ROOMS.has(target.room)) {
      violations.push(`${from}:${line}  imports '${specifier}', outside the rooms of src/`);
      continue;
    }
    if (target.room === room) continue;
    const allowed = rules[room][target.room];
    if (allowed === 'value' || (allowed === 'type' && typeOnly)) continue;
    const exception = exceptions.find((candidate) => candidate.from === from && candidate.to === to);
    if (exception !== undefined) {
      used.add(exception);
      continue;
    }
    const kind = typeOnly ? 'type import' : 'value import';
    const why = allowed === 'type' ? `${room} may import only types from ${target.room}` : `${room} may not import ${target.room}`;
    violations.push(`${from}:${line}  ${room} → ${target.room} (${kind} of '${specifier}'): ${why}`);
  }
}

for (const exception of exceptions) {
  if (!used.has(exception)) console.log(`note: exception no longer needed, remove it from scripts/check-deps.mjs: ${exception.from} → ${exception.to}`);
}
if (violations.length > 0) {
  console.error(`${violations.length} import(s) or use(s) break the rooms table (see ARCHITECTURE.md, rules in scripts/check-deps.mjs):`);
  for (const violation of violations) console.error(`  ${violation}`);
  process.exit(1);
}
console.log(`check-deps: every import follows the rooms table (${exceptions.length} listed exception(s)).`);
