// Store benchmark: Appender bulk-load throughput, and read-back latency, on a synthetic scan.
//   npm run build && node dist/store/bench.js [accounts=100000] [file]
// Prints figures; asserts nothing (not a timed test).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { sampleScan } from '../report/sample.js';
import { openDuckDbStore } from './duckdb.js';
import { SCAN_DDL } from './schema.js';
import type { ScanResult } from './store.js';

const nAccounts = Number(process.argv[2] ?? 100_000);
const dir = mkdtempSync(join(tmpdir(), 'distillguard-bench-'));
const file = process.argv[3] ?? join(dir, 'bench.duckdb');

const rate = (rows: number, ms: number): string => `${Math.round(rows / (ms / 1000)).toLocaleString('en-US')} rows/s`;
const time = async (f: () => Promise<unknown>): Promise<number> => {
  const t = performance.now();
  await f();
  return performance.now() - t;
};

async function main(): Promise<void> {
  let t = performance.now();
  const scan = sampleScan({ accounts: nAccounts, campaigns: Math.max(1, Math.round(nAccounts / 2_500)), days: 30 });
  const gen = performance.now() - t;
  const rows =
    scan.accounts.length +
    scan.campaigns.length +
    scan.campaigns.reduce((s, c) => s + c.accounts.length, 0) +
    scan.evidence.length +
    scan.daily.length +
    1;
  console.log(
    `sample: ${scan.accounts.length} accounts, ${scan.campaigns.length} campaigns, ` +
      `${scan.evidence.length} evidence rows, ${scan.daily.length} daily rows (${gen.toFixed(0)} ms to generate)`,
  );

  const store = await openDuckDbStore(file);
  const accountsOnly: ScanResult = { ...scan, campaigns: [], evidence: [], daily: [] };
  await store.writeScan(accountsOnly); // warm-up
  const msAccounts = await time(() => store.writeScan(accountsOnly));
  console.log(`writeScan, accounts table only: ${scan.accounts.length} rows in ${msAccounts.toFixed(0)} ms = ${rate(scan.accounts.length, msAccounts)}`);
  const msAll = await time(() => store.writeScan(scan));
  console.log(`writeScan, whole scan: ${rows} rows in ${msAll.toFixed(0)} ms = ${rate(rows, msAll)} (one transaction, file ${file})`);

  t = performance.now();
  const all = await store.accounts();
  console.log(`read all accounts: ${all.length} rows in ${(performance.now() - t).toFixed(0)} ms`);
  const flagged = scan.accounts.find((a) => a.verdict === 'distillation');
  if (flagged) {
    const n = 200;
    const ms = await time(async () => {
      for (let i = 0; i < n; i++) await store.account(flagged.account_id);
    });
    console.log(`account(id) with evidence: ${(ms / n).toFixed(2)} ms per lookup`);
  }
  const msTop = await time(() => store.accounts({ verdict: 'distillation', limit: 50 }));
  console.log(`accounts({verdict, limit: 50}): ${msTop.toFixed(1)} ms`);
  await store.close();
  console.log(`file size: ${(statSync(file).size / 1e6).toFixed(1)} MB`);

  // Baseline, for contrast: one prepared INSERT per row, on a 5,000-row slice.
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  await conn.run(SCAN_DDL.accounts);
  const slice = scan.accounts.slice(0, 5_000);
  const insert = await conn.prepare(
    `INSERT INTO accounts (account_id, score, verdict, campaign_id, exchanges, reasons) VALUES ($1, $2, $3, $4, $5, $6)`,
  );
  const msInsert = await time(async () => {
    await conn.run('BEGIN TRANSACTION');
    for (const a of slice) {
      insert.bind([a.account_id, a.score, a.verdict, a.campaign_id, BigInt(a.exchanges), JSON.stringify(a.reasons)]);
      await insert.run();
    }
    await conn.run('COMMIT');
  });
  console.log(`baseline, prepared INSERT per row (6 of 13 columns): ${rate(slice.length, msInsert)}`);
  conn.closeSync();
  instance.closeSync();
}

main()
  .finally(() => rmSync(dir, { recursive: true, force: true }))
  .catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
