import { describe, expect, it } from 'vitest';
import { int } from './format.js';
import { renderSummaryMarkdown } from './markdown.js';
import { sampleScan } from './sample.js';

describe('renderSummaryMarkdown', () => {
  const scan = sampleScan({ accounts: 1_000, campaigns: 3, days: 14, seed: 2 });

  it('summarises totals, campaigns and top flagged accounts', () => {
    const md = renderSummaryMarkdown(scan);
    expect(md).toMatch(/^# distillguard report\n/);
    expect(md).toContain(`| Lines read | ${int(scan.summary.lines_read)} |`);
    expect(md).toContain(`| Flagged (distillation) | ${int(scan.summary.flagged_accounts)} |`);
    for (const c of scan.campaigns) expect(md).toContain(`| ${c.campaign_id} |`);
    expect(md).toContain('## Top flagged accounts (20 of');
  });

  it('keeps hostile ids from breaking the table or injecting HTML', () => {
    const a = { ...scan.accounts[0], account_id: 'a|b<script>[x](y)' };
    const md = renderSummaryMarkdown({ ...scan, accounts: [a] });
    expect(md).toContain('| a\\|b\\<script\\>\\[x\\](y) |');
    expect(md).not.toContain('<script>');
  });
});
