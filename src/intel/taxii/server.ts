// A standalone TAXII 2.1 server: the plugin mounted at /taxii2/ on its own fastify instance.
import Fastify, { type FastifyInstance } from 'fastify';
import type { TaxiiConfig } from './config.js';
import { taxiiPlugin } from './plugin.js';
import type { IntelStore } from '../../store/intel-store.js';

export const TAXII_PREFIX = '/taxii2';

export async function buildTaxiiServer(o: { config: TaxiiConfig; store: IntelStore; logger?: boolean }): Promise<FastifyInstance> {
  const app = Fastify({ logger: o.logger ?? false, bodyLimit: o.config.maxContentLength });
  await app.register(taxiiPlugin, { prefix: TAXII_PREFIX, config: o.config, store: o.store });
  return app;
}
