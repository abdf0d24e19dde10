// The campaign brief end to end: `distillguard report` over a scanned store, in Markdown, HTML and
// PDF (rendered by Debian's Chromium, read back with a real PDF text extractor).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractText, getDocumentProxy } from 'unpdf';
import type { CampaignOut } from '../src/core/output.js';
import { int } from '../src/report/format.js';
import { chromiumPath } from '../src/report/pdf.js';
import { runCli } from './helpers/scan-run.js';
import { pdfPageShots } from './helpers/pdf-pages.js';
import { scanTiny, type TinyScan } from './helpers/tiny-scan.js';
import { screensDir } from './helpers/screens.js';

const mdEsc = (s: string): string => s.replace(/[\\`*_[\]<>|#!]/g, (c) => `\\${c}`);

let tmp: string;
let scan: TinyScan;
let campaign: CampaignOut;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'dg-brief-'));
  scan = await scanTiny(tmp);
  // The flagged campaign with the most accounts: the one a lab would brief on.
  campaign = [...scan.results.campaigns].filter((c) => c.flagged_at).sort((a, b) => b.accounts.length - a.accounts.length)[0];
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('distillguard report --campaign', () => {
  it('the scan has a flagged campaign with a link graph (the suite has something to check)', () => {
    expect(campaign).toBeDefined();
    const links = scan.results.links.filter((l) => l.campaign_id === campaign.campaign_id);
    expect(links.length).toBeGreaterThan(0);
    const members = new Set(campaign.accounts);
    for (const l of links) {
      expect(members.has(l.a) && members.has(l.b), `${l.a}–${l.b}`).toBe(true);
      expect(l.kinds.length).toBeGreaterThan(0);
    }
  });

  it('md: the key figures, the reasons and every indicator, on standard output', async () => {
    const r = await runCli(['report', '--db', scan.db, '--campaign', campaign.campaign_id, '--format', 'md']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`# Distillation campaign ${mdEsc(campaign.campaign_id)}`);
    expect(r.stdout).toContain(`| Exchanges | ${int(campaign.exchanges)} |`);
    expect(r.stdout).toContain(`| Accounts | ${int(campaign.accounts.length)} (`);
    for (const reason of campaign.reasons) expect(r.stdout).toContain(`\`${mdEsc(reason.code)}\``);
    for (const i of campaign.indicators) expect(r.stdout).toContain(mdEsc(i.value));
  });

  it('html: self-contained (no script, nothing loaded) with SVG charts of the timeline', async () => {
    const out = join(tmp, 'brief.html');
    const r = await runCli(['report', '--db', scan.db, '--campaign', campaign.campaign_id, '--format', 'html', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const html = await readFile(out, 'utf8');
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(|\ssrc=|\shref=/i);
    expect(html).toMatch(/<div class="chart" id="daily-chart"><svg/);
    expect(html).toMatch(/<div class="chart" id="accounts-chart"><svg/);
    expect(html).toContain(`<div class="value">${int(campaign.exchanges)}</div>`);
    for (const a of campaign.accounts) expect(html).toContain(`>${a}</code>`);
  });

  it.skipIf(!existsSync(chromiumPath()))('pdf: rendered by Chromium; its text holds the campaign, exchanges, accounts, flag time and indicators', async () => {
    const out = join(tmp, 'brief.pdf');
    const r = await runCli(['report', '--db', scan.db, '--campaign', campaign.campaign_id, '--format', 'pdf', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const bytes = new Uint8Array(await readFile(out));
    expect(Buffer.from(bytes.subarray(0, 5)).toString()).toBe('%PDF-');
    const { text, totalPages } = await extractText(await getDocumentProxy(bytes), { mergePages: true });
    expect(totalPages).toBeGreaterThanOrEqual(2);
    const flat = text.replace(/\s+/g, ' ');
    expect(flat).toContain(`Distillation campaign ${campaign.campaign_id}`);
    expect(flat).toContain(`${int(campaign.accounts.length)} linked accounts sent ${int(campaign.exchanges)} exchanges`);
    expect(flat).toContain(`flagged the campaign at ${campaign.flagged_at!.slice(0, 16).replace('T', ' ')} UTC`);
    expect(flat).toContain('How it was detected');
    expect(flat).toMatch(/Shared with peer labs as a STIX 2\.1 bundle \(TLP:AMBER, \d+ objects/);
    const ip = campaign.indicators.find((i) => i.kind === 'ip_prefix' || i.kind === 'payment_bin');
    expect(ip, 'the campaign has a network or card indicator').toBeDefined();
    expect(flat).toContain(ip!.value);
    expect(r.stderr).toMatch(/^distillguard: wrote the pdf brief of cmp_\d+ to .*brief\.pdf \(\d+ KiB\)\n$/);
  });

  it.skipIf(!existsSync(chromiumPath()))('pdf: laid out for print — at most 4 pages before the members appendix, no page ending on a heading, no reason code broken', async () => {
    const out = join(tmp, 'brief-layout.pdf');
    const r = await runCli(['report', '--db', scan.db, '--campaign', campaign.campaign_id, '--format', 'pdf', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const html = (await runCli(['report', '--db', scan.db, '--campaign', campaign.campaign_id, '--format', 'html'])).stdout;
    const headings = [...html.matchAll(/<h[23][^>]*>([^<]+)</g)].map((m) => m[1].replace(/&[^;]+;/g, '').trim());
    const { text: pages } = await extractText(await getDocumentProxy(new Uint8Array(await readFile(out))), { mergePages: false });
    const appendix = pages.findIndex((p) => p.includes('Appendix A'));
    expect(appendix, 'the members appendix starts a page').toBeGreaterThan(0);
    expect(appendix, 'pages before the appendix').toBeLessThanOrEqual(4);
    expect(pages[appendix].trimStart().startsWith('Appendix A')).toBe(true);
    pages.forEach((p, i) => {
      const lines = p.split('\n').map((l) => l.trim()).filter(Boolean);
      expect(headings, `page ${i + 1} ends with a heading`).not.toContain(lines.at(-1));
      expect(lines.length, `page ${i + 1} holds more than a line or two`).toBeGreaterThan(2);
    });
    // Reason codes are never split across lines.
    for (const code of campaign.reasons.map((x) => x.code)) expect(pages.join('\n'), code).toContain(code);
    // The pages as a reader sees them (docs/screens with `npm run screens:update`), drawn by pdf.js in Chromium.
    const shots = await pdfPageShots(new Uint8Array(await readFile(out)), screensDir(), 'brief', { maxPages: appendix + 1 });
    expect(shots).toHaveLength(appendix + 1);
  });

  it('html: the privacy footer names what the brief holds, and an empty shared list says why', async () => {
    const html = (await runCli(['report', '--db', scan.db, '--campaign', campaign.campaign_id, '--format', 'html'])).stdout;
    const footer = /<footer>([\s\S]*?)<\/footer>/.exec(html)?.[1] ?? '';
    if (campaign.indicators.some((i) => i.kind === 'email_pattern')) expect(footer).toContain('e-mail patterns');
    expect(footer).not.toMatch(/no raw prompt or e-mail address/);
    expect(footer).toContain('never the address itself');
    expect(html).toMatch(/Times are event times in UTC/);
    const shared = Number(/STIX 2\.1 bundle \(TLP:AMBER, \d+ objects, <code>distillguard intel export<\/code>\): (\d+) indicator/.exec(html)?.[1]);
    if (shared === 0) expect(html).toContain('id="no-shared"');
  });

  it('bad requests end with one line on stderr and status 2', async () => {
    const cases: [string[], RegExp][] = [
      [['--db', scan.db, '--campaign', 'cmp_nope', '--format', 'md'], /no campaign "cmp_nope" in the store \(campaigns: cmp_/],
      [['--db', join(tmp, 'missing.duckdb'), '--campaign', campaign.campaign_id], /no store at .*missing\.duckdb/],
      [['--db', scan.db, '--campaign', campaign.campaign_id, '--format', 'pdf'], /--format pdf needs --out FILE/],
      [['--db', scan.db, '--campaign', campaign.campaign_id, '--format', 'docx'], /Allowed choices are html, pdf, md/],
    ];
    for (const [args, msg] of cases) {
      const r = await runCli(['report', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(msg);
    }
    expect(existsSync(join(tmp, 'missing.duckdb'))).toBe(false);
  });
});
