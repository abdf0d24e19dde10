import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliNodeFlags } from '../bench/node-flags.js';

describe('cliNodeFlags', () => {
  it("reads the CLI's node flags from its shebang", () => {
    expect(cliNodeFlags()).toEqual(['--max-semi-space-size=64']);
  });

  it('reads no flags from a plain `env node` and refuses any other first line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dg-flags-'));
    try {
      const bin = join(dir, 'bin.js');
      await writeFile(bin, '#!/usr/bin/env node\n');
      expect(cliNodeFlags(bin)).toEqual([]);
      await writeFile(bin, '#!/bin/sh\n');
      expect(() => cliNodeFlags(bin)).toThrow(/expected a first line/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
