// Reference prompt corpora for tests and benchmarks (never used by the engine).
//
// The corpora live outside the project, in `../shared/data/prompts/` from the project root
// (override with DISTILLGUARD_DATA=<data dir>). They may be absent on a fresh machine: callers
// get `undefined` and must skip, saying why (`corpusSkipReason`).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface PromptRecord {
  id: string;
  source: string;
  text: string;
  answer?: string;
  followups?: string[];
}

export const CORPORA = ['organic-sharegpt', 'distill-alpaca', 'distill-selfinstruct-seed', 'distill-math'] as const;
export type CorpusName = (typeof CORPORA)[number];

function projectRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

/** The reference data folder (DISTILLGUARD_DATA, else ../shared/data from the project root), or undefined. */
export function referenceDataDir(): string | undefined {
  const env = process.env.DISTILLGUARD_DATA;
  const root = projectRoot();
  return env ? resolve(env) : root ? join(root, '..', 'shared', 'data') : undefined;
}

/** Folder holding the `*.jsonl` corpora, or undefined when it is absent. */
export function promptCorpusDir(): string | undefined {
  const dataDir = referenceDataDir();
  if (dataDir === undefined) return undefined;
  const dir = join(dataDir, 'prompts');
  return existsSync(dir) ? dir : undefined;
}

/** Why corpus-based checks are skipped, or undefined when the corpora are there. */
export function corpusSkipReason(): string | undefined {
  if (promptCorpusDir() !== undefined) return undefined;
  const env = process.env.DISTILLGUARD_DATA;
  const where = env ? `${resolve(env)}/prompts (DISTILLGUARD_DATA)` : '../shared/data/prompts from the project root (or set DISTILLGUARD_DATA)';
  return `reference prompt corpora not found at ${where}: skipping checks on real prompts`;
}

/** All records of one corpus, or undefined when the folder or file is absent. */
export function loadPromptCorpus(name: CorpusName): PromptRecord[] | undefined {
  const dir = promptCorpusDir();
  if (dir === undefined) return undefined;
  const file = join(dir, `${name}.jsonl`);
  if (!existsSync(file)) return undefined;
  const out: PromptRecord[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    out.push(JSON.parse(line) as PromptRecord);
  }
  return out;
}
