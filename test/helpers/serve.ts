// A live service and its fastify app on a temporary folder, for server tests.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildEngineConfig, type EngineConfigInput } from '../../src/config/schema.js';
import { buildServer, type ServerOptions } from '../../src/server/app.js';
import { KeyRing } from '../../src/server/keys.js';
import { LiveService, type LiveOptions } from '../../src/server/live.js';
import { openDuckDbStore } from '../../src/store/duckdb.js';
import type { Store } from '../../src/store/store.js';
import type { LoadedPolicy } from '../../src/act/policy-load.js';
import { Gateway } from '../../src/server/gateway.js';
import { registerDecisionRoutes } from '../../src/server/routes/decision.js';

/** Tests use a fixed e-mail key (a real install generates a random one: src/config/secret.ts). */
export const TEST_EMAIL_KEY = 'test-email-key-0123456789';

export const KEYS = {
  ingest: 'ingest-key-0123456789abcdef',
  read: 'read-key-0123456789abcdef',
  analyst: 'analyst-key-0123456789abcdef',
};

export const keyRing = (): KeyRing =>
  new KeyRing({
    keys: [
      { id: 'gateway', key: KEYS.ingest, roles: ['ingest'] },
      { id: 'dashboard', key: KEYS.read, roles: ['read'] },
      { id: 'alice', key: KEYS.analyst, roles: ['analyst'] },
    ],
  });

export const bearer = (role: keyof typeof KEYS): Record<string, string> => ({ authorization: `Bearer ${KEYS[role]}` });

export interface TestServer {
  app: FastifyInstance;
  live: LiveService;
  store: Store;
  dir: string;
  /** With `policy`: the gateway's policy stage and routes (src/server/gateway.ts). */
  gateway?: Gateway;
  /** Closes app, live service and store (keeps the folder). */
  stop(): Promise<void>;
  /** stop() and remove the folder. */
  close(): Promise<void>;
}

export interface TestServerOptions {
  dir?: string;
  cfg?: EngineConfigInput;
  live?: Partial<Omit<LiveOptions, 'cfg' | 'store' | 'logDir'>>;
  server?: Partial<Omit<ServerOptions, 'live' | 'store'>>;
  /** Mount the gateway routes with this startup policy. */
  policy?: LoadedPolicy;
}

export async function startTestServer(o: TestServerOptions = {}): Promise<TestServer> {
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'distillguard-serve-'));
  mkdirSync(dir, { recursive: true });
  const store = await openDuckDbStore(join(dir, 'store.duckdb'));
  const gateway = o.policy ? await Gateway.open(store, o.policy) : undefined;
  const attach = gateway && { attach: gateway.attach.bind(gateway) };
  const live = await LiveService.open({ cfg: buildEngineConfig({ emailKey: TEST_EMAIL_KEY, ...o.cfg }), store, logDir: join(dir, 'ingest'), flushMs: 50, ...attach, ...o.live });
  const app = buildServer({ live, store, keys: keyRing(), ...o.server });
  if (gateway) {
    registerDecisionRoutes(app, gateway, { logDir: join(dir, 'ingest'), ...(o.live?.sourceIdleMs === undefined ? {} : { sourceIdleMs: o.live.sourceIdleMs }) });
    await gateway.start(() => undefined, 20);
  }
  await app.ready();
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await app.close();
    await live.close();
    await gateway?.close();
    await store.close();
  };
  return {
    app,
    live,
    store,
    dir,
    gateway,
    stop,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Native NDJSON text of records given as plain objects. */
export const ndjson = (rows: object[]): string => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
