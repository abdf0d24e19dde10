// The demo's dashboard: a live `serve` (in-process, loopback only, one generated key) fed the demo's
// simulated traffic through the same batches the ingest API takes, serving until Ctrl-C.
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { buildEngineConfig } from '../config/schema.js';
import { withEmailKey } from '../config/secret.js';
import { decodeLine } from '../decode/index.js';
import { buildServer } from '../server/app.js';
import { KeyRing } from '../server/keys.js';
import { LiveService, type BatchItem } from '../server/live.js';
import { LineSplitter, type RawLine } from '../sources/file.js';
import { openDuckDbStore } from '../store/duckdb.js';

const BATCH = 5000;

export async function serveDemo(o: { dir: string; input: string; port: number; host?: string }): Promise<void> {
  const dir = join(o.dir, 'serve');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const cfg = await withEmailKey(buildEngineConfig({}), join(dir, 'distillguard.duckdb.secret'));
  const store = await openDuckDbStore(join(dir, 'distillguard.duckdb'));
  const live = await LiveService.open({ cfg, store, logDir: join(dir, 'ingest') });
  const key = randomBytes(18).toString('base64url');
  const app = buildServer({ live, store, keys: new KeyRing({ keys: [{ id: 'demo', key, roles: ['ingest', 'read', 'analyst'] }] }) });
  const t0 = performance.now();
  const split = new LineSplitter(o.input, { maxLineBytes: cfg.maxLineBytes });
  let lines: RawLine[] = [];
  const submit = async (): Promise<void> => {
    const items: BatchItem[] = lines.map((raw) => ({ raw, rec: decodeLine(raw, live.decodeContext) }));
    lines = [];
    while (live.overloaded) await new Promise((r) => setTimeout(r, 20));
    await live.submit(items);
  };
  for await (const chunk of createReadStream(o.input)) {
    split.push(chunk as Buffer, lines);
    if (lines.length >= BATCH) await submit();
  }
  split.end(lines);
  if (lines.length > 0) await submit();
  await live.drain();
  await live.flush(true);
  const c = live.counts;
  // The stored figures (what the dashboard shows), counted as `scan` counts its outputs.
  const stored = live.summary();
  const address = await app.listen({ port: o.port, host: o.host ?? '127.0.0.1' });
  process.stdout.write(
    `served ${c.accepted.toLocaleString('en')} records to the live engine in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${stored.flagged_accounts} accounts distillation, ${stored.campaigns} campaigns\n` +
      `dashboard: ${address}/#signin=${app.distillguard.sessions.mintToken({ id: 'demo', roles: new Set(['read', 'analyst']) })}\n(a one-time link, valid 10 minutes; Ctrl-C to stop)\n`,
  );
  await new Promise<void>((res) => {
    process.once('SIGINT', res);
    process.once('SIGTERM', res);
  });
  await app.close();
  await live.close();
  await store.close();
}
