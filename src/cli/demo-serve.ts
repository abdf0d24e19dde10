// The demo's dashboard: a live `serve` (in-process, loopback only, one generated key) fed the demo's
// simulated traffic through the same batches the ingest API takes, serving until Ctrl-C.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { storedDecisions } from '../act/decisions.js';
import { InputError } from '../core/errors.js';
import { join } from 'node:path';
import { buildEngineConfig } from '../config/schema.js';
import { withEmailKey } from '../config/secret.js';
import { buildServer } from '../server/app.js';
import { KeyRing } from '../server/keys.js';
import { LiveService } from '../server/live.js';
import { replayFile } from '../server/replay-file.js';
import { openDuckDbStore } from '../store/duckdb.js';
import { loadDefaultPolicy } from '../act/policy-load.js';
import { Gateway } from '../server/gateway.js';
import { registerDecisionRoutes } from '../server/routes/decision.js';

/**
 * `traffic` names the simulation (scenario, scale, seed): a later demo of the same traffic reopens the
 * live store and its ingest log, so the analyst decisions of earlier runs are kept; `fresh` starts over.
 */
export async function serveDemo(o: { dir: string; input: string; port: number; host?: string; traffic: string; fresh?: boolean }): Promise<void> {
  const dir = join(o.dir, 'serve');
  const marker = join(dir, 'traffic.txt');
  const db = join(dir, 'distillguard.duckdb');
  const reuse = !o.fresh && existsSync(marker) && existsSync(db) && (await readFile(marker, 'utf8')) === o.traffic;
  if (!reuse) {
    const earlier = o.fresh ? [] : await storedDecisions(db);
    if (earlier.length > 0) {
      throw new InputError(
        `${dir} holds ${earlier.length} analyst decision${earlier.length === 1 ? '' : 's'} made on other traffic` +
          `${existsSync(marker) ? ` (${await readFile(marker, 'utf8')})` : ''}: run with --fresh to discard them, or give another --out`,
      );
    }
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
  }
  const cfg = await withEmailKey(buildEngineConfig({}), join(dir, 'distillguard.duckdb.secret'));
  const store = await openDuckDbStore(db);
  // The shipped policy acts on the verdicts (the dashboard shows each account's action, the policy page its backtest).
  const gateway = await Gateway.open(store, await loadDefaultPolicy());
  // Reopened, the service replays its ingest log: the records and every decision, at the same points.
  const live = await LiveService.open({ cfg, store, logDir: join(dir, 'ingest'), attach: (e) => gateway.attach(e) });
  const key = randomBytes(18).toString('base64url');
  const app = buildServer({ live, store, keys: new KeyRing({ keys: [{ id: 'demo', key, roles: ['ingest', 'read', 'analyst'] }] }) });
  registerDecisionRoutes(app, gateway, { logDir: join(dir, 'ingest') });
  await gateway.start(() => undefined);
  const t0 = performance.now();
  const fed = reuse ? null : await replayFile(live, o.input, cfg);
  if (reuse) {
    await live.drain();
    await live.flush(true);
  } else await writeFile(marker, o.traffic);
  const kept = reuse ? (await live.decisions.list()).length : 0;
  const c = live.counts;
  // The stored figures (what the dashboard shows), counted as `scan` counts its outputs.
  const stored = live.summary();
  const address = await app.listen({ port: o.port, host: o.host ?? '127.0.0.1' });
  process.stdout.write(
    `served ${c.accepted.toLocaleString('en')} records to the live engine in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${stored.flagged_accounts} accounts distillation, ${stored.campaigns} campaigns` +
      (fed && fed.released > 0 ? ` (the final watermark released the last ${fed.released.toLocaleString('en')} records held for lateness)` : '') +
      `\n` +
      (reuse ? `kept the live store of the previous demo with ${kept} analyst decision${kept === 1 ? '' : 's'} (--fresh starts over)\n` : '') +
      `dashboard: ${address}/#signin=${app.distillguard.sessions.mintToken({ id: 'demo', roles: new Set(['read', 'analyst']) })}\n(a one-time link, valid 10 minutes; Ctrl-C to stop)\n`,
  );
  await new Promise<void>((res) => {
    process.once('SIGINT', res);
    process.once('SIGTERM', res);
  });
  await app.close();
  await live.close();
  await gateway.close();
  await store.close();
}
