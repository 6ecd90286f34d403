import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { directionOf, routeOf } from '../../src/core/direction.js';
import { parseLocation } from '../../src/core/location.js';

const at = (text: string) => parseLocation(text);

describe('directionOf', () => {
  it.each([
    ['./site', 's3://bkt-b/www', 'upload'],
    ['s3://bkt-b/www', './site', 'download'],
    ['s3://bkt-a/x', 's3://bkt-b/y', 'copy'],
    ['manifest:./urls.txt', 's3://bkt-b/in', 'ingest'],
  ])('%s → %s is %s', (source, target, direction) => {
    expect(directionOf(at(source), at(target))).toBe(direction);
    const route = routeOf(at(source), at(target));
    expect([route.direction, route.from, route.to]).toEqual([direction, at(source), at(target)]);
  });

  it.each([
    ['./a', './b', /both source and target are local directories/],
    ['./a', 'manifest:./urls.txt', /a manifest can only be a source/],
    ['s3://bkt-b/x', 'manifest:./urls.txt', /a manifest can only be a source/],
    ['manifest:./urls.txt', './b', /a manifest of URLs can only be synced into S3/],
  ])('refuses %s → %s', (source, target, message) => {
    let caught: unknown;
    try {
      directionOf(at(source), at(target));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).field).toBe('target');
    expect((caught as ConfigError).message).toMatch(message);
  });
});
