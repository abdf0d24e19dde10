// `distillguard taxii serve`: a standalone TAXII 2.1 server over a DuckDB intel store.
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { InputError } from '../core/errors.js';
import { loadTaxiiConfig } from '../intel/taxii/config.js';
import { buildTaxiiServer, TAXII_PREFIX } from '../intel/taxii/server.js';
import { openDuckDbStore } from '../store/duckdb.js';
import type { Store } from '../store/store.js';
import { parseNumber } from './main.js';

export function registerTaxii(program: Command): void {
  const taxii = program.command('taxii').description('TAXII 2.1 server for sharing STIX intelligence');
  taxii
    .command('serve')
    .description(`serve TAXII 2.1 at ${TAXII_PREFIX}/ (API roots, collections, objects, manifest, versions, status)`)
    .requiredOption('--config <file>', 'TAXII configuration (JSON): API roots, collections, API keys and rights')
    .requiredOption('--db <path>', 'DuckDB file where objects are kept (created if absent)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port (0: any free port)', parseNumber('int', 0, 65535), 9000)
    .action(async (o: { config: string; db: string; host: string; port: number }) => {
      const config = await loadTaxiiConfig(o.config);
      let store: Store;
      try {
        store = await openDuckDbStore(resolve(o.db));
      } catch (e) {
        throw new InputError(`cannot open ${o.db}: ${(e as Error).message}`);
      }
      const app = await buildTaxiiServer({ config, store: store.intel });
      app.addHook('onClose', async () => store.close());
      const address = await app.listen({ host: o.host, port: o.port });
      process.stderr.write(`distillguard: TAXII 2.1 at ${address}${TAXII_PREFIX}/\n`);
      await new Promise<void>((done) => {
        const stop = (): void => {
          void app.close().then(done);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
  for (const c of taxii.commands) c.exitOverride().showSuggestionAfterError(false);
}
