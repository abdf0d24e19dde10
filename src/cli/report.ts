// `distillguard report --campaign ID --format html|pdf|md`: the campaign brief, from the store a scan
// wrote. HTML and Markdown go to --out or standard output; a PDF needs --out.
import type { Command } from 'commander';
import { Option } from 'commander';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InputError } from '../core/errors.js';
import { BriefNotFound, loadBrief } from '../report/brief-data.js';
import { openDuckDbStore } from '../store/duckdb.js';
import { StoreError } from '../store/store.js';

export type BriefFormat = 'html' | 'pdf' | 'md';

export interface ReportOptions {
  db: string;
  campaign: string;
  format: BriefFormat;
  out?: string;
  title?: string;
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write the brief of one campaign (html, pdf or md) from the store a scan wrote')
    .requiredOption('--campaign <id>', 'campaign id (see campaigns.ndjson)')
    .requiredOption('--db <path>', 'the DuckDB store written by scan (e.g. OUT/distillguard.duckdb)')
    .addOption(new Option('--format <format>', 'output format').choices(['html', 'pdf', 'md']).default('html'))
    .option('--out <file>', 'output file (default: standard output; required for pdf)')
    .option('--title <text>', 'document title')
    .action(async (o: ReportOptions) => {
      const out = await renderCampaignReport(o);
      if (o.out === undefined) process.stdout.write(out);
      else process.stderr.write(`distillguard: wrote the ${o.format} brief of ${o.campaign} to ${resolve(o.out)} (${Math.max(1, Math.round(Buffer.byteLength(out) / 1024)).toLocaleString('en')} KiB)\n`);
    });
}

/** Renders the brief; writes it to `out` when given and returns it. */
export async function renderCampaignReport(o: ReportOptions): Promise<Buffer | string> {
  if (o.format === 'pdf' && o.out === undefined) throw new InputError('--format pdf needs --out FILE');
  const db = resolve(o.db);
  // Opening a missing path would create an empty store: refuse instead.
  if (!existsSync(db)) throw new InputError(`no store at ${db}: run distillguard scan first (it writes OUT/distillguard.duckdb)`);
  let store;
  try {
    store = await openDuckDbStore(db);
  } catch (e) {
    if (e instanceof StoreError) throw new InputError(e.message, { cause: e });
    throw e;
  }
  let doc: Buffer | string;
  try {
    const data = await loadBrief(store, o.campaign);
    const opts = o.title === undefined ? {} : { title: o.title };
    // Loaded on use: ECharts and playwright-core would slow every other command's start-up.
    if (o.format === 'md') {
      doc = (await import('../report/brief-markdown.js')).renderBriefMarkdown(data, opts);
    } else {
      const html = (await import('../report/brief.js')).renderBrief(data, opts);
      doc = o.format === 'html' ? html : await (await import('../report/pdf.js')).htmlToPdf(html);
    }
  } catch (e) {
    if (e instanceof BriefNotFound) throw new InputError(e.message, { cause: e });
    throw e;
  } finally {
    await store.close();
  }
  if (o.out !== undefined) {
    try {
      await writeFile(resolve(o.out), doc);
    } catch (e) {
      throw new InputError(`cannot write ${o.out}: ${(e as Error).message}`, { cause: e });
    }
  }
  return doc;
}
