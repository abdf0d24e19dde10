// `distillguard intel ...`: share campaigns as STIX 2.1 (export), exchange them over TAXII 2.1 (pull, push).
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InputError } from '../core/errors.js';
import { openDuckDbStore } from '../store/duckdb.js';
import { atlasDataFile } from '../intel/stix/reference.js';
import { loadAtlasTechniques } from '../intel/stix/atlas.js';
import { buildBundle } from '../intel/stix/export.js';
import { isTlpLevel, TLP_LEVELS } from '../intel/stix/tlp.js';

export interface ExportCliOptions {
  db: string;
  out: string;
  tlp?: string;
  producer?: string;
  atlas?: string;
  minScore?: number;
}

export function registerIntel(program: Command): void {
  const intel = program.command('intel').description('share campaigns with peers: STIX 2.1 bundles and TAXII 2.1');
  intel
    .command('export')
    .description('write the campaigns of a store as a STIX 2.1 bundle')
    .requiredOption('--db <path>', 'DuckDB store written by scan')
    .requiredOption('--out <file>', 'bundle file to write')
    .option('--tlp <level>', `TLP 2.0 marking (${TLP_LEVELS.join(', ')})`, 'amber')
    .option('--producer <name>', 'producer identity name', 'distillguard')
    .option('--atlas <file>', 'MITRE ATLAS.yaml for technique names and descriptions (default: the reference data, when present)')
    .action(async (o: ExportCliOptions) => {
      await runExport(o);
    });
  for (const c of intel.commands) c.exitOverride().showSuggestionAfterError(false);
}

export async function runExport(o: ExportCliOptions): Promise<number> {
  const tlp = o.tlp ?? 'amber';
  if (!isTlpLevel(tlp)) throw new InputError(`--tlp must be one of ${TLP_LEVELS.join(', ')}, got ${JSON.stringify(tlp)}`);
  const atlas = o.atlas ?? atlasDataFile();
  let techniques;
  try {
    techniques = atlas ? loadAtlasTechniques(atlas) : undefined;
  } catch (e) {
    throw new InputError(`cannot read ATLAS data ${atlas}: ${(e as Error).message}`);
  }
  const store = await openStore(o.db);
  try {
    const campaigns = await store.campaigns();
    const summary = await store.summary();
    const asOf = summary?.last_event ?? campaigns.reduce((m, c) => (c.last_seen > m ? c.last_seen : m), '1970-01-01T00:00:00.000Z');
    const bundle = buildBundle(campaigns, { producer: o.producer ?? 'distillguard', tlp, asOf, techniques, minScore: o.minScore });
    await writeFile(resolve(o.out), `${JSON.stringify(bundle, null, 2)}\n`);
    process.stderr.write(`distillguard: ${campaigns.length} campaigns, ${bundle.objects.length} STIX objects → ${o.out}\n`);
    return bundle.objects.length;
  } finally {
    await store.close();
  }
}

async function openStore(path: string) {
  if (!existsSync(path)) throw new InputError(`store ${path} does not exist (write one with scan --db)`);
  try {
    return await openDuckDbStore(path);
  } catch (e) {
    throw new InputError((e as Error).message);
  }
}
