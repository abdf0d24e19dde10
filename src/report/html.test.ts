import { describe, expect, it } from 'vitest';
import type { AccountOut, CampaignOut, ReasonOut } from '../core/output.js';
import type { ScanResult } from '../store/store.js';
import { esc, int, pct, reasonText } from './format.js';
import { renderReport } from './html.js';
import { sampleScan } from './sample.js';

const scan = sampleScan({ accounts: 3_000, campaigns: 4, days: 21, seed: 5 });

describe('renderReport', () => {
  const html = renderReport({ ...scan, title: 'March traffic' });

  it('is one HTML page', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<title>March traffic</title>');
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
  });

  it('shows the totals', () => {
    const s = scan.summary;
    for (const n of [s.lines_read, s.accepted, s.accepted_exchanges, s.rejected, s.duplicates, s.accounts, s.flagged_accounts, s.suspicious_accounts]) {
      expect(html).toContain(`>${int(n)}<`);
    }
    expect(html).toContain(`${int(s.events_per_second)}/s`);
    expect(html).toContain(`>${int(s.campaigns)}<`);
    for (const [reason, n] of Object.entries(s.rejected_by_reason)) {
      expect(html).toContain(`<code>${reason}</code></th><td class="num">${int(n)}</td>`);
    }
    expect(html).toContain('lines read = accepted + rejected + duplicates ✓');
  });

  it('draws the daily volume chart, one bar group per day', () => {
    const chart = /<svg class="chart"[^]*?<\/svg>/.exec(html)?.[0] ?? '';
    const days = scan.daily.filter((d) => d.campaign_id === undefined);
    expect(chart.match(/<g><title>/g)).toHaveLength(days.length);
    const d = days[days.length - 1];
    expect(chart).toContain(`${d.day}: ${int(d.exchanges)} exchanges, ${int(d.flagged_exchanges)} from flagged accounts`);
    expect(chart).toContain('class="bar-flagged"');
    expect(chart).toContain('class="bar-other"');
  });

  it('lists every campaign with its figures, capabilities, reasons and sparkline', () => {
    for (const c of scan.campaigns) {
      expect(html).toContain(`<strong>${c.campaign_id}</strong>`);
      expect(html).toContain(`>${int(c.exchanges)}<`);
      const [cap, share] = Object.entries(c.capabilities).sort((a, b) => b[1] - a[1])[0];
      expect(html).toContain(`<span class="cap">${cap}</span>`);
      expect(html).toContain(pct(share));
      expect(html).toContain(esc(reasonText(c.reasons[0])));
    }
    expect(html.match(/<svg class="spark"/g)).toHaveLength(scan.campaigns.length);
    expect(reasonText(scan.campaigns[0].reasons[0])).toMatch(/^payment instrument shared with other accounts \(dimension=payment, accounts=\d+/);
  });

  it('lists flagged accounts before suspicious ones, with rendered reasons', () => {
    const top = [...scan.accounts].filter((a) => a.verdict === 'distillation').sort((a, b) => b.score - a.score)[0];
    expect(html).toContain(`>${top.account_id}</code>`);
    expect(html).toContain(esc(reasonText(top.reasons[0])));
    const table = html.slice(html.indexOf('<h2>Flagged and suspicious accounts</h2>'));
    const lastFlagged = table.lastIndexOf('badge flagged');
    const firstSuspicious = table.indexOf('badge suspicious');
    expect(lastFlagged).toBeGreaterThan(0);
    if (firstSuspicious >= 0) expect(lastFlagged).toBeLessThan(firstSuspicious);
    expect(table.match(/<span class="badge /g)).toHaveLength(100);
  });

  it('loads nothing from anywhere and runs no script', () => {
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(|\ssrc=|\shref=/i);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
  });

  it('is deterministic', () => {
    expect(renderReport({ ...scan, title: 'March traffic' })).toBe(html);
  });
});

describe('renderReport escaping', () => {
  const evil = `<script>alert("x")</script>`;
  const account: AccountOut = {
    ...scan.accounts[0],
    account_id: evil,
    campaign_id: `C-${evil}`,
    reasons: [
      { code: 'shared_link', weight: 0.4, detail: { dimension: `device_id"><script>1</script>`, accounts: 3, suspicion: 1 } },
      // A code this version does not know (a store written by another one) still renders, escaped.
      { code: `made_up_${evil}`, weight: 0.1, detail: { x: evil } } as unknown as ReasonOut,
    ],
  };
  const campaign: CampaignOut = {
    ...scan.campaigns[0],
    campaign_id: `C-${evil}`,
    accounts: [evil],
    capabilities: { [evil]: 0.5 },
    indicators: [{ kind: evil, value: `'${evil}'` }],
    reasons: account.reasons,
  };
  const r: ScanResult = {
    ...scan,
    summary: { ...scan.summary, inputs: [evil], rejected_by_reason: { [evil]: 1 } },
    accounts: [account],
    campaigns: [campaign],
    daily: [...scan.daily, { day: '2025-03-02', exchanges: 5, flagged_exchanges: 5, active_accounts: 1, campaign_id: `C-${evil}` }],
  };
  const html = renderReport({ ...r, title: evil });

  it('escapes every string from the data', () => {
    expect(html).not.toContain('<script');
    expect(html).toContain('title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"'); // attribute stays closed
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain(`<title>${esc(evil)}</title>`);
    expect(html).toContain(`>${esc(evil)}</code>`); // the account id
    expect(html).toContain(esc(`made_up_${evil} (x=${evil})`)); // an unknown reason code still shows
    expect(html).toContain(esc(`device_id"><script>1</script>`));
  });
});

describe('renderReport on an empty scan', () => {
  it('says there is nothing rather than failing', () => {
    const empty: ScanResult = {
      summary: {
        ...scan.summary,
        lines_read: 0,
        accepted: 0,
        accepted_exchanges: 0,
        accepted_accounts_records: 0,
        rejected: 0,
        rejected_by_reason: {},
        duplicates: 0,
        late: 0,
        accounts: 0,
        flagged_accounts: 0,
        suspicious_accounts: 0,
        campaigns: 0,
        first_event: null,
        last_event: null,
        inputs: [],
      },
      accounts: [],
      campaigns: [],
      evidence: [],
      daily: [],
    };
    const html = renderReport(empty);
    expect(html).toContain('<title>distillguard report</title>');
    expect(html).toContain('No daily aggregates in this scan.');
    expect(html).toContain('No campaign was found.');
    expect(html).toContain('No account was flagged or found suspicious.');
    expect(html).toContain('No line was rejected.');
    expect(html).not.toContain('NaN');
  });
});

describe('report formatting', () => {
  it('formats numbers and escapes text', () => {
    expect(int(1234567)).toBe('1,234,567');
    expect(int(-1000)).toBe('-1,000');
    expect(int(12)).toBe('12');
    expect(pct(0.623)).toBe('62%');
    expect(pct(0.001)).toBe('<1%');
    expect(pct(0)).toBe('0%');
    expect(esc(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
