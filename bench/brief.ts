// bench:brief — how long the campaign brief takes to render, per format, on a scanned scenario.
// Scans the scenario once (cached under .cache/bench-brief/), then renders the brief of its largest
// flagged campaign RUNS times in each format and prints the median and min wall time, plus the size
// of each document. The PDF figure includes Chromium's launch (as `distillguard report` pays it) and,
// separately, the render alone on an already running browser.
//
//   npm run bench:brief -- [--scenario tiny] [--scale 1] [--seed 7] [--runs 5]
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runScan } from '../src/cli/scan.js';
import { runSimulate } from '../src/sim/index.js';
import { loadBrief } from '../src/report/brief-data.js';
import { renderBrief } from '../src/report/brief.js';
import { renderBriefMarkdown } from '../src/report/brief-markdown.js';
import { htmlToPdf, launchChromium } from '../src/report/pdf.js';
import { openDuckDbStore } from '../src/store/duckdb.js';

const { values } = parseArgs({ options: { scenario: { type: 'string', default: 'tiny' }, scale: { type: 'string', default: '1' }, seed: { type: 'string', default: '7' }, runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);
const dir = join('.cache', 'bench-brief', `${values.scenario}-${values.scale}-${values.seed}`);
const db = join(dir, 'scan', 'distillguard.duckdb');
if (!existsSync(db)) {
  const sim = await runSimulate({ scenario: values.scenario!, scale: Number(values.scale), seed: Number(values.seed), out: join(dir, 'traffic') });
  await runScan({ inputs: [sim.path], out: join(dir, 'scan'), quiet: true });
}

async function time<T>(fn: () => Promise<T>): Promise<{ ms: number[]; last: T }> {
  const ms: number[] = [];
  let last!: T;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    last = await fn();
    ms.push(performance.now() - t0);
  }
  return { ms: ms.sort((a, b) => a - b), last };
}

const store = await openDuckDbStore(db);
try {
  const campaigns = (await store.campaigns()).filter((c) => c.flagged_at !== null).sort((a, b) => b.accounts.length - a.accounts.length);
  if (campaigns.length === 0) throw new Error('the scenario has no flagged campaign');
  const id = campaigns[0].campaign_id;
  const load = await time(() => loadBrief(store, id));
  const data = load.last;
  const html = await time(async () => renderBrief(data));
  const md = await time(async () => renderBriefMarkdown(data));
  const pdfCold = await time(() => htmlToPdf(html.last));
  const browser = await launchChromium();
  const pdfWarm = await time(() => htmlToPdf(html.last, browser));
  await browser.close();
  const row = (name: string, t: { ms: number[] }, bytes: number): string =>
    `${name.padEnd(26)} ${t.ms[Math.floor(t.ms.length / 2)].toFixed(1).padStart(9)} ${t.ms[0].toFixed(1).padStart(9)} ${bytes.toLocaleString('en').padStart(10)}`;
  process.stdout.write(
    `brief of ${id}: ${data.members.length} accounts, ${data.campaign.exchanges.toLocaleString('en')} exchanges, ${data.links.length} links (${values.scenario}, scale ${values.scale}, seed ${values.seed}; ${runs} runs)\n` +
      `${'step'.padEnd(26)} ${'median ms'.padStart(9)} ${'min ms'.padStart(9)} ${'bytes'.padStart(10)}\n` +
      `${row('load from store', load, 0)}\n${row('html (ECharts SSR)', html, Buffer.byteLength(html.last))}\n${row('md', md, Buffer.byteLength(md.last))}\n` +
      `${row('pdf incl. Chromium launch', pdfCold, pdfCold.last.length)}\n${row('pdf, browser running', pdfWarm, pdfWarm.last.length)}\n`,
  );
} finally {
  await store.close();
}
