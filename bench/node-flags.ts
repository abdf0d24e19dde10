// The node flags the CLI runs with, read from bin/distillguard.js's shebang (`env -S node <flags>`, or `env node`: none):
// benchmarks that start node themselves use the same runtime as `npx distillguard`, from one source.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export function cliNodeFlags(bin = resolve('bin/distillguard.js')): string[] {
  const first = readFileSync(bin, 'utf8').split('\n', 1)[0];
  const m = /^#!\/usr\/bin\/env (?:-S )?node((?: --\S+)*)\s*$/.exec(first);
  if (!m) throw new Error(`${bin}: expected a first line '#!/usr/bin/env [-S] node [--flags]', got '${first}'`);
  return m[1].split(' ').filter(Boolean);
}
