import { z } from 'zod';
import { StrategyResolver } from '../strategies/strategy-resolver.js';
import { configSchema } from './config-schema.js';

/**
 * The JSON Schema of s3kit.yaml, for editors (`# yaml-language-server: $schema=…`). The
 * `strategy` block is spelled out per registered strategy.
 * @public
 */
export function configJsonSchema(strategies: StrategyResolver = new StrategyResolver()): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as unknown as Record<string, unknown> & {
    properties: { jobs: { items: { properties: Record<string, unknown> } } };
  };
  schema.properties.jobs.items.properties.strategy = {
    description: 'how the source and target of a run are chosen from its date',
    oneOf: strategies.list().map((strategy) => {
      const settings = z.toJSONSchema(strategy.settings, { io: 'input', unrepresentable: 'any' }) as unknown as {
        properties?: Record<string, unknown>;
        required?: string[];
      };
      return {
        type: 'object',
        description: strategy.description,
        properties: { type: { const: strategy.type }, ...settings.properties },
        required: ['type', ...(settings.required ?? [])],
        additionalProperties: false,
      };
    }),
  };
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', title: 's3kit.yaml', ...schema };
}
