import { describe, expect, it } from 'vitest';
import { DAY, HOUR } from '../core/time.js';
import { T0 } from '../../test/helpers/records.js';
import { ModelCatalog } from './models.js';

describe('ModelCatalog', () => {
  it('gives each model name one stable id, in order of first sighting', () => {
    const c = new ModelCatalog({});
    const a = c.observe('model-a', T0, 1000);
    const b = c.observe('model-b', T0 + HOUR, 1000);
    expect(a.id).toBe(0);
    expect(b.id).toBe(1);
    expect(c.observe('model-a', T0 + 2 * HOUR, undefined)).toBe(a);
    expect(c.list.map((m) => m.name)).toEqual(['model-a', 'model-b']);
    expect(a.firstSeen).toBe(T0);
  });

  it('uses the configured ceiling when there is one, whatever traffic sends', () => {
    const c = new ModelCatalog({ 'model-a': 64000 });
    const m = c.observe('model-a', T0, 100_000);
    expect(c.ceiling(m)).toBe(64000);
    expect(m.maxTokensSeen).toBe(100_000);
  });

  it('learns an unconfigured ceiling online once the model carried 200 exchanges: the largest max_tokens seen', () => {
    const c = new ModelCatalog({ 'model-a': 64000 });
    const m = c.observe('model-b', T0, 2048);
    expect(c.ceiling(m)).toBe(0); // one request is not its own ceiling
    c.observe('model-b', T0 + 1, 8192);
    for (let i = 0; i < 197; i++) c.observe('model-b', T0 + 2 + i, 1024);
    expect(c.ceiling(m)).toBe(0);
    c.observe('model-b', T0 + 300, undefined); // the 200th exchange: absent max_tokens is not a value
    expect(c.ceiling(m)).toBe(8192);
    c.observe('model-b', T0 + 301, 1024); // smaller values never lower it
    expect(c.ceiling(m)).toBe(8192);
    expect(c.ceiling(c.observe('model-a', T0 + 302, 10))).toBe(64000); // configured: from the start
  });

  it('has no learned ceiling for a model never sent max_tokens', () => {
    const c = new ModelCatalog({});
    const m = c.observe('model-a', T0, undefined);
    expect(c.ceiling(m)).toBe(0);
  });

  it('treats models present in the first day as already in use, not as releases', () => {
    const c = new ModelCatalog({});
    c.observe('old', T0, undefined);
    const late = c.observe('also-old', T0 + DAY - 1, undefined);
    expect(late.released).toBe(false);
    expect(c.latestRelease).toBeUndefined();
  });

  it('marks a model first seen a day or more after the start as a release, and keeps the latest', () => {
    const c = new ModelCatalog({});
    c.observe('old', T0, undefined);
    const r1 = c.observe('new-1', T0 + DAY, undefined);
    expect(r1.released).toBe(true);
    expect(c.latestRelease).toBe(r1);
    c.observe('old', T0 + 3 * DAY, undefined);
    expect(c.latestRelease).toBe(r1); // traffic on an old model is not a release
    const r2 = c.observe('new-2', T0 + 5 * DAY, undefined);
    expect(c.latestRelease).toBe(r2);
    c.observe('new-1', T0 + 6 * DAY, undefined);
    expect(c.latestRelease).toBe(r2); // a later sighting of an earlier release does not bring it back
    expect(r2.firstSeen).toBe(T0 + 5 * DAY);
  });

  it('measures "a day after the start" from its own first record, not from the epoch', () => {
    const c = new ModelCatalog({});
    const first = c.observe('m', T0 + 10 * DAY, undefined);
    expect(first.released).toBe(false);
    expect(c.observe('n', T0 + 10 * DAY + 23 * HOUR, undefined).released).toBe(false);
    expect(c.observe('o', T0 + 11 * DAY, undefined).released).toBe(true);
  });
});
