// `distillguard serve --otlp-grpc-port` as a real process: the SDK's gRPC and protobuf exporters
// send to it (gzip), SIGTERM stops it cleanly, a restart replays what was acknowledged; a port already
// taken is refused in one line.
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportSpans, genAiSpans, otlpExporter, simulatedExchanges } from '../bench/otlp-spans.js';
import { runBin, serveFixture, startServe, type ServeProcess } from './helpers/bin.js';

const KEYS = { ingest: 'otlp-test-ingest-key-00001', read: 'otlp-test-read-key-0000001' };

let dir: string;
let bin: string;
let exchanges: Record<string, unknown>[];
beforeAll(async () => {
  ({ dir, bin } = await serveFixture('distillguard-serve-otlp-', [{ id: 'gw', key: KEYS.ingest, roles: ['ingest'] }, { id: 'ro', key: KEYS.read, roles: ['read'] }]));
  exchanges = await simulatedExchanges(join(dir, 'sim'), 10, 13);
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Each test its own store: one that fails or times out must not leave the next a locked file.
const args = (grpcPort: number, db = 'store.duckdb'): string[] => ['--db', join(dir, db), '--port', '0', '--otlp-grpc-port', String(grpcPort), '--keys', join(dir, 'keys.json'), '--log-level', 'warn'];

describe('serve --otlp-grpc-port', () => {
  it('takes spans over gRPC and HTTP protobuf, stops cleanly, and replays them on restart', async () => {
    const spans = await genAiSpans(exchanges);
    const started: ServeProcess[] = [];
    try {
      const srv = await startServe(bin, args(0));
      started.push(srv);
      const port = Number(/OTLP\/gRPC on 127\.0\.0\.1:(\d+)/.exec(srv.stderr())?.[1]);
      expect(port).toBeGreaterThan(0);
      // gzip'd, as collectors usually send.
      await exportSpans(otlpExporter('grpc', { http: srv.url, grpcPort: port }, KEYS.ingest, true), spans.slice(0, 5), 5);
      await exportSpans(otlpExporter('http/protobuf', { http: srv.url, grpcPort: port }, KEYS.ingest, true), spans.slice(5), 5);
      srv.child.kill('SIGTERM');
      expect(await srv.exited).toEqual({ code: 0, signal: null });

      const again = await startServe(bin, args(0));
      started.push(again);
      const summary = (await (await fetch(`${again.url}/v1/summary`, { headers: { authorization: `Bearer ${KEYS.read}` } })).json()) as { summary: { accepted_exchanges: number; rejected: number } };
      expect(summary.summary).toMatchObject({ accepted_exchanges: 10, rejected: 0 });
      again.child.kill('SIGTERM');
      expect((await again.exited).code).toBe(0);
    } finally {
      // A failed check must not leave a server running (and holding its store) behind the test.
      for (const s of started) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
    }
  }, 90_000);

  it('refuses a gRPC port that is taken: one line, exit 2', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as { port: number }).port;
    try {
      const r = await runBin(bin, ['serve', ...args(port, 'port-taken.duckdb')]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^distillguard: --otlp-grpc-port ${port}: cannot listen on 127\\.0\\.0\\.1: .+\\n$`));
    } finally {
      await new Promise((r) => taken.close(r));
    }
  }, 60_000);
});
