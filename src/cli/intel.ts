// `distillguard intel ...`: share campaigns as STIX 2.1 (export), exchange them over TAXII 2.1 (pull, push).
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InputError } from '../core/errors.js';
import { openDuckDbStore } from '../store/duckdb.js';
import { atlasDataFile } from '../intel/stix/reference.js';
import { loadAtlasTechniques } from '../intel/stix/atlas.js';
import { buildBundle } from '../intel/stix/export.js';
import { isTlpLevel, TLP_LEVELS } from '../intel/stix/tlp.js';
import { TaxiiClient, TaxiiClientError, type TaxiiAuth } from '../intel/taxii/client.js';

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
  const remote = (c: Command): Command =>
    c
      .requiredOption('--collection <id>', 'collection id')
      .option('--user <name>', 'send the key with HTTP Basic as this user (default: bearer)')
      .option('--key-file <file>', 'file holding the API key (default: $DISTILLGUARD_TAXII_KEY)');
  remote(
    intel
      .command('pull')
      .description("fetch a TAXII 2.1 collection's objects into a local intel store (each keeps its producer)")
      .argument('<api-root>', 'TAXII API root URL, e.g. http://127.0.0.1:9000/taxii2/labs/')
      .requiredOption('--db <path>', 'DuckDB file to keep them in (scan --peer-intel reads it)')
      .option('--added-after <time>', 'only objects added after this RFC 3339 time'),
  ).action(async (url: string, o: PullCliOptions) => {
    await runPull(url, o);
  });
  remote(
    intel
      .command('push')
      .description('send the objects of a STIX bundle (an export, or peer-sightings.json) to a TAXII 2.1 collection')
      .argument('<api-root>', 'TAXII API root URL')
      .requiredOption('--bundle <file>', 'STIX bundle to send'),
  ).action(async (url: string, o: PushCliOptions) => {
    await runPush(url, o);
  });
  for (const c of intel.commands) c.exitOverride().showSuggestionAfterError(false);
}

interface RemoteOptions {
  collection: string;
  user?: string;
  keyFile?: string;
  /** The key itself (programmatic use; the CLI reads --key-file or the environment). */
  key?: string;
}
export interface PullCliOptions extends RemoteOptions {
  db: string;
  addedAfter?: string;
}
export interface PushCliOptions extends RemoteOptions {
  bundle: string;
}

async function auth(o: RemoteOptions): Promise<TaxiiAuth> {
  let key = o.key ?? process.env.DISTILLGUARD_TAXII_KEY;
  if (o.keyFile !== undefined) {
    try {
      key = (await readFile(o.keyFile, 'utf8')).trim();
    } catch (e) {
      throw new InputError(`cannot read key file ${o.keyFile}: ${(e as Error).message}`);
    }
  }
  if (!key) throw new InputError('no API key: give --key-file FILE or set DISTILLGUARD_TAXII_KEY');
  return { key, user: o.user };
}

async function remoteCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof TaxiiClientError) throw new InputError(e.message);
    throw e;
  }
}

/** Pulls a collection into a local store; returns how many object versions were new. */
export async function runPull(url: string, o: PullCliOptions): Promise<number> {
  const client = new TaxiiClient(url, await auth(o));
  const { objects } = await remoteCall(() => client.pull(o.collection, { addedAfter: o.addedAfter }));
  const store = await openDuckDbStore(resolve(o.db));
  try {
    const { results } = await store.intel.add('pulled', `${client.root}collections/${o.collection}/`, objects, { source: client.root });
    const added = results.filter((r) => r.added).length;
    process.stderr.write(`distillguard: pulled ${objects.length} objects from ${client.root} (${added} new) → ${o.db}\n`);
    return added;
  } finally {
    await store.close();
  }
}

/** Pushes a bundle's objects; returns the status resources. */
export async function runPush(url: string, o: PushCliOptions): Promise<Record<string, unknown>[]> {
  let bundle: { objects?: unknown };
  try {
    bundle = JSON.parse(await readFile(o.bundle, 'utf8')) as { objects?: unknown };
  } catch (e) {
    throw new InputError(`cannot read bundle ${o.bundle}: ${(e as Error).message}`);
  }
  if (!Array.isArray(bundle.objects)) throw new InputError(`${o.bundle} is not a STIX bundle (no objects array)`);
  const client = new TaxiiClient(url, await auth(o));
  const statuses = await remoteCall(() => client.push(o.collection, bundle.objects as unknown[]));
  const ok = statuses.reduce((n, s) => n + Number(s.success_count ?? 0), 0);
  const failed = statuses.reduce((n, s) => n + Number(s.failure_count ?? 0), 0);
  process.stderr.write(`distillguard: pushed ${(bundle.objects as unknown[]).length} objects to ${client.root}collections/${o.collection}/: ${ok} accepted, ${failed} refused\n`);
  return statuses;
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
