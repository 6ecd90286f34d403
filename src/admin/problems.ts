import { ConfigError } from '../core/errors.js';

/**
 * One thing wrong with a lifecycle configuration or a bucket policy, as the validators report it.
 * @public
 */
export interface ValidationProblem {
  /** Where, as a JSON path from the document's root: `Rules[1].Transitions[0].Days`, `Statement[0].Condition.Bool["aws:SecureTransport"]`. */
  readonly path: string;
  /** The value found at `path` (`undefined` when it is missing). */
  readonly value: unknown;
  /** What is wrong, as a sentence. */
  readonly message: string;
  /** How to put it right, as a sentence. */
  readonly fix: string;
  /**
   * `error`: S3 refuses the document (or it cannot do what it says); `warning`: S3 accepts it but
   * it probably costs or does more than meant (a minimum-duration charge, a rule that matches nothing).
   */
  readonly severity: 'error' | 'warning';
}

/** Collects problems while a validator walks a document. */
export class ProblemList {
  readonly problems: ValidationProblem[] = [];
  error(path: string, value: unknown, message: string, fix: string): void {
    this.problems.push({ path, value, message, fix, severity: 'error' });
  }
  warning(path: string, value: unknown, message: string, fix: string): void {
    this.problems.push({ path, value, message, fix, severity: 'warning' });
  }
}

/** `base.name`, or `base["odd:name"]` when the name is not an identifier; `name` alone at the root. */
export function child(base: string, name: string): string {
  const part = /^[A-Za-z_$][\w$]*$/.test(name) ? name : `[${JSON.stringify(name)}]`;
  if (base === '') return part.startsWith('[') ? part : name;
  return part.startsWith('[') ? `${base}${part}` : `${base}.${part}`;
}

/** `base[index]`. */
export function item(base: string, index: number): string {
  return `${base}[${index}]`;
}

/** A value as a message quotes it: JSON, shortened past 80 characters. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid Date' : value.toISOString();
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** True for a plain JSON object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** The known name closest to `name` (edit distance, case-insensitive), when it is close enough to be a likely typo. */
export function nearest(name: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const lower = name.toLowerCase();
  for (const candidate of known) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  // A third of the name may differ: `GetObjcet` → `GetObject`, but `Frobnicate` suggests nothing.
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/** Levenshtein distance, with a swap of two neighbours counted as one edit (`Objcet`). */
function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = rows[i]!;
      const above = rows[i - 1]!;
      row[j] = Math.min(above[j]! + 1, row[j - 1]! + 1, above[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, rows[i - 2]![j - 2]! + 1);
    }
  }
  return rows[a.length]![b.length]!;
}

/**
 * Reports each own key of `object` that `known` does not list, suggesting the nearest known one
 * (S3 refuses unknown elements: a misspelt `Transition` would otherwise be dropped silently).
 */
export function checkKnownKeys(problems: ProblemList, object: Record<string, unknown>, path: string, known: readonly string[], what: string): void {
  for (const key of Object.keys(object)) {
    if (known.includes(key)) continue;
    const close = nearest(key, known);
    problems.error(
      child(path, key),
      object[key],
      `${what} has no element ${JSON.stringify(key)}.`,
      close !== undefined ? `Did you mean ${JSON.stringify(close)}? The elements are ${known.join(', ')}.` : `Remove it; the elements are ${known.join(', ')}.`,
    );
  }
}

/**
 * A problem as one line: `error Rules[0].Status: Status must be … Got "enabled". Fix: Set …`.
 * @public
 */
export function formatProblem(problem: ValidationProblem): string {
  const at = problem.path === '' ? '(document)' : problem.path;
  return `${problem.severity} ${at}: ${problem.message} Got ${show(problem.value)}. Fix: ${problem.fix}`;
}

/** Throws one ConfigError listing every error of `problems` (warnings are left to the caller to print). */
export function throwIfErrors(problems: readonly ValidationProblem[], what: string): void {
  const errors = problems.filter((problem) => problem.severity === 'error');
  if (errors.length === 0) return;
  const lines = errors.map((problem) => `  ${formatProblem(problem)}`);
  throw new ConfigError(
    errors[0]!.path,
    `The ${what} has ${errors.length} error${errors.length === 1 ? '' : 's'}:\n${lines.join('\n')}`,
  );
}
