// Privacy of what we share: a simulated world is scanned with community keys, its campaigns are exported
// as STIX, and the bundle is searched for every raw identifier and every prompt of the input.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulate } from '../../src/sim/simulate.js';
import { runCli } from '../helpers/scan-run.js';
import { Keyring } from '../../src/intel/keyring.js';
import { stixSchemaDir } from '../../src/intel/stix/reference.js';
import { stixValidator } from '../../src/intel/stix/validate.js';

const KEYS = { keys: [{ id: 'k-old', secret: 'an-older-community-secret-0001' }, { id: 'k-2026', secret: 'the-current-community-secret-0002' }], current: 'k-2026' };

let dir: string;
let bundleText: string;
let input: Record<string, unknown>[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dg-intel-privacy-'));
  await simulate({ scenario: 'tiny', scale: 0.5, days: 4, seed: 3, out: join(dir, 'sim') });
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ intel: KEYS }));
  const scan = await runCli(['scan', join(dir, 'sim', 'input.ndjson'), '--out', join(dir, 'scan'), '--config', join(dir, 'config.json')]);
  expect(scan.code, scan.stderr).toBe(0);
  const exp = await runCli(['intel', 'export', '--db', join(dir, 'scan', 'distillguard.duckdb'), '--out', join(dir, 'bundle.json'), '--tlp', 'amber']);
  expect(exp.code, exp.stderr).toBe(0);
  bundleText = readFileSync(join(dir, 'bundle.json'), 'utf8');
  input = readFileSync(join(dir, 'sim', 'input.ndjson'), 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function strings(v: unknown, out: string[]): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) strings(x, out);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) strings(x, out);
  return out;
}

const words = (s: string): string[] => s.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w !== '');
function runs(s: string, n: number): string[] {
  const w = words(s);
  const out: string[] = [];
  for (let i = 0; i + n <= w.length; i++) out.push(w.slice(i, i + n).join(' '));
  return out;
}

describe('what a bundle reveals', () => {
  it('shares matchable keyed indicators of every kind', () => {
    const bundle = JSON.parse(bundleText) as { objects: { type: string; extensions?: Record<string, { kind?: string; value?: string }> }[] };
    const kinds = new Set(bundle.objects.flatMap((o) => Object.values(o.extensions ?? {}).map((e) => e.kind)).filter(Boolean));
    for (const k of ['email_hmac', 'payment_hmac', 'template_fingerprint']) expect(kinds.has(k), k).toBe(true);
    // A peer with the key can match: some input e-mail hashes, under the current key, to a shared value.
    const ring = Keyring.parse(KEYS);
    const emails = input.filter((r) => r.type === 'account' && typeof r.email === 'string').map((r) => r.email as string);
    expect(emails.some((e) => bundleText.includes(ring.hash('email', e).hash))).toBe(true);
    expect(emails.some((e) => bundleText.includes(ring.hash('email', e, 'k-old').hash))).toBe(false);
  });

  it('holds no raw e-mail, IP address, payment fingerprint, account id or prompt text of the input', () => {
    const raw = new Set<string>();
    const texts = new Set<string>();
    for (const r of input) {
      for (const f of ['email', 'payment_fingerprint', 'signup_ip', 'account_id']) if (typeof r[f] === 'string') raw.add(r[f] as string);
      const client = r.client as { ip?: string } | undefined;
      if (client?.ip) raw.add(client.ip);
      if (r.request) for (const s of strings(r.request, [])) if (s.length >= 20) texts.add(s);
    }
    expect(raw.size).toBeGreaterThan(300);
    expect(texts.size).toBeGreaterThan(1000);
    const lower = bundleText.toLowerCase();
    const leaked = [...raw].filter((v) => lower.includes(v.toLowerCase()));
    expect(leaked).toEqual([]);
    // Prompts: neither a whole prompt nor any run of six of its words appears in the bundle's text.
    const bundleRuns = new Set(strings(JSON.parse(bundleText), []).flatMap((s) => runs(s, 6)));
    const leakedText = [...texts].filter((t) => lower.includes(t.toLowerCase()) || runs(t, 6).some((r) => bundleRuns.has(r)));
    expect(leakedText).toEqual([]);
  });

  const schemas = stixSchemaDir();
  it.skipIf(!schemas)(`the exported bundle validates against the OASIS schemas${schemas ? '' : ' (skipped: schemas not found)'}`, () => {
    const v = stixValidator(schemas!);
    const bundle = JSON.parse(bundleText) as { objects: unknown[] };
    expect(v.bundle(bundle)).toEqual([]);
    for (const o of bundle.objects) expect(v.object(o)).toEqual([]);
  });
});
