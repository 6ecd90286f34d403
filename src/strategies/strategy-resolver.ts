import { endOfDay } from 'date-fns/endOfDay';
import { DAY_PATTERN, parseDay } from '../core/day.js';
import { startOfDay } from 'date-fns/startOfDay';
import { subDays } from 'date-fns/subDays';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { assertInside, checkPattern, dotSegmentProblem, formatDateOrThrow, renderPattern } from './placeholders.js';

/**
 * What a strategy works from: a job's name, its configured source and target, and the date the
 * run is for.
 * @public
 */
export interface StrategyInput {
  /** The job's name. */
  readonly name: string;
  /** The job's configured source. */
  readonly source: string;
  /** The job's configured target. */
  readonly target: string;
  /** The date the run is for (by default yesterday). */
  readonly date: Date;
}

/**
 * A strategy's answer: the concrete source and target of this run, and a modification-time
 * window for the files to take (DateRange).
 * @public
 */
export interface ResolvedPaths {
  /** The source of this run. */
  readonly source: string;
  /** The target of this run. */
  readonly target: string;
  /** Only files modified at or after this time. */
  readonly modifiedAfter?: Date;
  /** Only files modified at or before this time. */
  readonly modifiedBefore?: Date;
}

/**
 * A strategy: a name, a zod schema of its settings (the `strategy:` block of a job, minus
 * `type`), an example for `s3kit strategies --examples`, and how it resolves a run.
 * @public
 */
export interface StrategyDefinition<Settings = unknown> {
  /** The name used as `strategy.type`. */
  readonly type: string;
  /** One line for `s3kit strategies`. */
  readonly description: string;
  /** Validates the block's other fields and applies defaults. */
  readonly settings: z.ZodType<Settings>;
  /** A `strategy:` block as it would appear in s3kit.yaml. */
  readonly example: Readonly<Record<string, unknown>>;
  /** The paths of one run. */
  resolve(settings: Settings, input: StrategyInput): ResolvedPaths;
}

/** The date settings are checked with when no run date is at hand (config validation). */
const SAMPLE_DATE = new Date(2000, 0, 1);

/** Joins a path or an S3 URL with a relative part using `/`. */
function joinPath(base: string, part: string): string {
  if (part === '') return base;
  return `${base.replace(/\/+$/, '')}/${part.replace(/^\/+/, '')}`;
}

const dateFolder: StrategyDefinition<{ format: string; appendToTarget: boolean }> = {
  type: 'DateFolder',
  description: "the source subfolder named by the run's date (e.g. 2025-01-15/), into the same subfolder of the target",
  settings: z
    .object({
      format: z.string().min(1).default('yyyy-MM-dd').describe('date-fns format of the folder name, e.g. yyyy-MM-dd or yyyy/MM/dd'),
      appendToTarget: z.boolean().default(true).describe('put the folder under the target (false: sync into the target itself)'),
    })
    .strict()
    .superRefine((settings, context) => {
      // Literal text in a format is date-independent, so one sample date finds any dot segment.
      let folder: string;
      try {
        folder = formatDateOrThrow(SAMPLE_DATE, settings.format, 'strategy.format');
      } catch (error) {
        context.addIssue({ code: 'custom', path: ['format'], message: (error as Error).message.replace(/^strategy\.format: /, '') });
        return;
      }
      const problem = dotSegmentProblem(settings.format, folder);
      if (problem !== undefined) context.addIssue({ code: 'custom', path: ['format'], message: problem });
    }),
  example: { type: 'DateFolder', format: 'yyyy-MM-dd' },
  resolve(settings, input) {
    const folder = assertInside(settings.format, formatDateOrThrow(input.date, settings.format, 'strategy.format'), 'strategy.format');
    return { source: joinPath(input.source, folder), target: settings.appendToTarget ? joinPath(input.target, folder) : input.target };
  },
};

const fullDirectory: StrategyDefinition<Record<string, never>> = {
  type: 'FullDirectory',
  description: 'the whole source into the target',
  settings: z.object({}).strict() as unknown as z.ZodType<Record<string, never>>,
  example: { type: 'FullDirectory' },
  resolve: (_settings, input) => ({ source: input.source, target: input.target }),
};

const isoDate = z.string().regex(DAY_PATTERN, 'a date as YYYY-MM-DD');

const dateRange: StrategyDefinition<{ daysBack?: number | undefined; from?: string | undefined; to?: string | undefined }> = {
  type: 'DateRange',
  description: "files modified in the last N days up to the run's date, or between two dates",
  settings: z
    .object({
      daysBack: z.number().int().positive().optional().describe("days back from the run's date, that day included"),
      from: isoDate.optional().describe('first day, YYYY-MM-DD'),
      to: isoDate.optional().describe('last day, YYYY-MM-DD'),
    })
    .strict()
    .refine((s) => (s.daysBack === undefined) !== (s.from === undefined && s.to === undefined), {
      message: 'give either daysBack, or from and/or to',
    }),
  example: { type: 'DateRange', daysBack: 7 },
  resolve(settings, input) {
    if (settings.daysBack !== undefined) {
      return {
        source: input.source,
        target: input.target,
        modifiedAfter: startOfDay(subDays(input.date, settings.daysBack - 1)),
        modifiedBefore: endOfDay(input.date),
      };
    }
    return {
      source: input.source,
      target: input.target,
      modifiedAfter: settings.from === undefined ? undefined : startOfDay(dayOf(settings.from)),
      modifiedBefore: settings.to === undefined ? undefined : endOfDay(dayOf(settings.to)),
    };
  },
};

const customPattern: StrategyDefinition<{ sourcePattern: string; targetPattern: string }> = {
  type: 'CustomPattern',
  description: 'source and target subpaths from patterns with {year}, {month}, {day}, {date:FORMAT} and {name}',
  settings: z
    .object({
      sourcePattern: z.string().default('').describe('appended to the source, e.g. {year}/{month}'),
      targetPattern: z.string().default('').describe('appended to the target, e.g. {name}/{date:yyyy-MM}'),
    })
    .strict()
    .superRefine((settings, context) => {
      for (const field of ['sourcePattern', 'targetPattern'] as const) {
        try {
          checkPattern(settings[field], `strategy.${field}`);
        } catch (error) {
          // The issue's path names the field already; keep only what is wrong with it.
          context.addIssue({ code: 'custom', path: [field], message: (error as Error).message.replace(`strategy.${field}: `, '') });
          continue;
        }
        const problem = dotSegmentProblem(settings[field], renderPattern(settings[field], { date: SAMPLE_DATE, name: 'job' }, `strategy.${field}`));
        if (problem !== undefined) context.addIssue({ code: 'custom', path: [field], message: problem });
      }
    }),
  example: { type: 'CustomPattern', sourcePattern: '{year}/{month}', targetPattern: '{name}/{date:yyyy-MM}' },
  resolve(settings, input) {
    const values = { date: input.date, name: input.name };
    return {
      source: joinPath(input.source, assertInside(settings.sourcePattern, renderPattern(settings.sourcePattern, values, 'strategy.sourcePattern'), 'strategy.sourcePattern')),
      target: joinPath(input.target, assertInside(settings.targetPattern, renderPattern(settings.targetPattern, values, 'strategy.targetPattern'), 'strategy.targetPattern')),
    };
  },
};

function dayOf(text: string): Date {
  const date = parseDay(text);
  if (date === undefined) throw new ConfigError('strategy', `${text} is not a valid date.`);
  return date;
}

/**
 * Turns a job's strategy and a date into the concrete paths of one run. Holds a registry of
 * strategies: the four built-ins (DateFolder, FullDirectory, DateRange, CustomPattern) and any
 * a library user registers.
 * @public
 */
export class StrategyResolver {
  readonly #strategies = new Map<string, StrategyDefinition<never>>();

  /** @param strategies - extra strategies to register beside the built-ins */
  constructor(strategies: readonly StrategyDefinition<never>[] = []) {
    for (const strategy of [dateFolder, fullDirectory, dateRange, customPattern, ...strategies] as StrategyDefinition<never>[]) {
      this.register(strategy);
    }
  }

  /** Adds (or replaces) a strategy. */
  register<Settings>(strategy: StrategyDefinition<Settings>): this {
    this.#strategies.set(strategy.type, strategy as unknown as StrategyDefinition<never>);
    return this;
  }

  /** The registered strategies, in registration order. */
  list(): readonly StrategyDefinition<unknown>[] {
    return [...this.#strategies.values()] as StrategyDefinition<unknown>[];
  }

  /** The strategy named `type`, or a `ConfigError` (from `s3kit`) listing the known ones. */
  get(type: string): StrategyDefinition<unknown> {
    const strategy = this.#strategies.get(type);
    if (strategy === undefined) {
      throw new ConfigError('strategy.type', `unknown strategy ${JSON.stringify(type)}; use one of ${[...this.#strategies.keys()].join(', ')}.`);
    }
    return strategy as StrategyDefinition<unknown>;
  }

  /**
   * Validates a `strategy:` block (`{ type, ...settings }`) and returns its parsed settings;
   * problems come back as zod issues with paths relative to the block.
   */
  parse(block: { readonly type: string } & Record<string, unknown>): { readonly strategy: StrategyDefinition<unknown>; readonly settings: unknown } {
    const strategy = this.get(block.type);
    const { type: _type, ...rest } = block;
    return { strategy, settings: strategy.settings.parse(rest) };
  }

  /** Resolves a job's paths for a date. */
  resolve(block: { readonly type: string } & Record<string, unknown>, input: StrategyInput): ResolvedPaths {
    const { strategy, settings } = this.parse(block);
    return strategy.resolve(settings, input);
  }
}
