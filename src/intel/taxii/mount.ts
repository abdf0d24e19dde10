// Mounts the TAXII 2.1 plugin under /taxii2/ on another fastify instance (`distillguard serve --taxii`).
import { existsSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { InputError } from '../../core/errors.js';
import { openDuckDbStore } from '../../store/duckdb.js';
import type { Store } from '../../store/store.js';
import { loadTaxiiConfig } from './config.js';
import { taxiiPlugin } from './plugin.js';
import { TAXII_PREFIX } from './server.js';

/** Registers TAXII on `app` (before it listens); returns the store it keeps objects in, for closing on shutdown. */
export async function mountTaxii(app: FastifyInstance, configPath: string, dbPath: string): Promise<Store> {
  if (!existsSync(configPath)) throw new InputError(`TAXII config ${configPath} does not exist`);
  const config = await loadTaxiiConfig(configPath);
  let store: Store;
  try {
    store = await openDuckDbStore(dbPath);
  } catch (e) {
    throw new InputError(`cannot open TAXII store ${dbPath}: ${(e as Error).message}`);
  }
  await app.register(taxiiPlugin, { prefix: TAXII_PREFIX, config, store: store.intel });
  return store;
}
