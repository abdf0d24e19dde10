// The per-run world: address space of every network, client fingerprints, and the makers of
// identities (e-mails, cards, phones, devices). Built once from the seed; actors draw from it.
import { createHash } from 'node:crypto';
import {
  BROWSERS, BUSINESS_BINS, CLIENT_FAMILIES, CLOUDS, COMMON_BINS, COMPANY_SUFFIX, COMPANY_WORDS, COUNTRIES, FIRST_NAMES,
  HOSTING, LAST_NAMES, NICKNAMES, PREPAID_BINS, TLDS, WEBMAIL,
} from './catalog.js';
import type { AsnKind, ClientFamily, CountrySpec } from './catalog.js';
import { opaqueId } from './ids.js';
import type { Rng } from './rng.js';

/** Where one request came from. */
export interface Net {
  ip: string;
  asn: number;
  asOrg: string;
  country: string;
}

export interface Asn {
  asn: number;
  org: string;
  kind: AsnKind;
  country: string;
  /** First two octets of each /16 the network announces. */
  blocks: number[];
  /** A /32 for its IPv6 customers, as two hextets. */
  v6: string;
}

/** A /24 inside one network, from which hosts are drawn. */
export interface Prefix {
  asn: Asn;
  base: string; // "a.b.c"
}

export interface ClientProfile {
  format: 'anthropic' | 'openai';
  sdk?: string;
  userAgent: string;
  tls: string; // JA3-like 32-hex
}

export interface Card {
  fingerprint: string;
  bin: string;
}

const RESERVED_FIRST = new Set([0, 10, 100, 127, 169, 172, 192, 198, 203]);

export function ja3(label: string): string {
  return createHash('md5').update(`ja3:${label}`).digest('hex');
}

export class World {
  readonly asns = new Map<number, Asn>();
  private readonly used16 = new Set<number>();
  private readonly cgnat = new Map<number, Net[]>();

  constructor(private readonly rng: Rng) {
    for (const c of COUNTRIES) {
      for (const [asn, org] of c.isps) this.addAsn(asn, org, 'residential', c.code, 6);
      for (const [asn, org] of c.mobile) this.addAsn(asn, org, 'mobile', c.code, 2);
    }
    for (const [asn, org, cc] of CLOUDS) this.addAsn(asn, org, 'cloud', cc, 6);
    for (const [asn, org, cc] of HOSTING) this.addAsn(asn, org, 'hosting', cc, 3);
  }

  /** Register a network (campus, corporate...) with `n16` /16 blocks. Reuses an existing ASN. */
  addAsn(asn: number, org: string, kind: AsnKind, country: string, n16: number): Asn {
    const have = this.asns.get(asn);
    if (have) return have;
    const blocks: number[] = [];
    while (blocks.length < n16) {
      const a = this.rng.int(2, 223);
      if (RESERVED_FIRST.has(a)) continue;
      const b = this.rng.int(0, 255);
      const key = a * 256 + b;
      if (this.used16.has(key)) continue;
      this.used16.add(key);
      blocks.push(key);
    }
    const v6 = `2${this.rng.hex(3)}:${this.rng.hex(4)}`;
    const rec: Asn = { asn, org, kind, country, blocks, v6 };
    this.asns.set(asn, rec);
    return rec;
  }

  asn(asn: number): Asn {
    const a = this.asns.get(asn);
    if (!a) throw new Error(`sim: unknown ASN ${asn}`);
    return a;
  }

  country(code: string): CountrySpec {
    const c = COUNTRIES.find((x) => x.code === code);
    if (!c) throw new Error(`sim: unknown country ${code}`);
    return c;
  }

  pickCountry(rng: Rng): CountrySpec {
    return COUNTRIES[rng.index(COUNTRIES.map((c) => c.weight))];
  }

  tzOf(rng: Rng, c: CountrySpec): number {
    return rng.weighted(c.tz);
  }

  /** A random /24 in a network. */
  prefix(rng: Rng, asn: Asn): Prefix {
    const blk = rng.pick(asn.blocks);
    return { asn, base: `${blk >> 8}.${blk & 255}.${rng.int(0, 255)}` };
  }

  host(rng: Rng, p: Prefix): Net {
    return { ip: `${p.base}.${rng.int(1, 254)}`, asn: p.asn.asn, asOrg: p.asn.org, country: p.asn.country };
  }

  /** A residential ISP of a country, by subscriber share. */
  isp(rng: Rng, c: CountrySpec): Asn {
    return this.asn(rng.weighted(c.isps.map(([asn, , w]) => [asn, w] as const)));
  }

  /** One random residential address of a country (a home, or a residential proxy exit). */
  residential(rng: Rng, c: CountrySpec): Net {
    return this.host(rng, this.prefix(rng, this.isp(rng, c)));
  }

  /** IPv6 home: a stable /64 under the ISP's /32. */
  v6Home(rng: Rng, asn: Asn): string {
    return `${asn.v6}:${hextet(rng)}:${hextet(rng)}`;
  }

  v6Addr(rng: Rng, home: string): string {
    return `${home}:${hextet(rng)}:${hextet(rng)}:${hextet(rng)}:${hextet(rng)}`;
  }

  carrier(rng: Rng, c: CountrySpec): Asn {
    return this.asn(rng.weighted(c.mobile.map(([asn, , w]) => [asn, w] as const)));
  }

  /** The public CGNAT addresses of a carrier: a handful of IPs shared by all its subscribers. */
  cgnatPool(carrier: Asn, size: number): Net[] {
    let pool = this.cgnat.get(carrier.asn);
    if (!pool) {
      const r = this.rng.fork(`cgnat/${carrier.asn}`);
      const p = this.prefix(r, carrier);
      const hosts = r.sample(range(1, 254), Math.min(size, 250));
      pool = hosts.map((h) => ({ ip: `${p.base}.${h}`, asn: carrier.asn, asOrg: carrier.org, country: carrier.country }));
      this.cgnat.set(carrier.asn, pool);
    }
    return pool;
  }

  cloud(rng: Rng, only?: readonly number[]): Asn {
    const xs = only ?? CLOUDS.slice(0, 6).map((c) => c[0]);
    return this.asn(rng.pick(xs));
  }

  hosting(rng: Rng): Asn {
    return this.asn(rng.pick(HOSTING)[0]);
  }

  /** `n` distinct addresses in one /24 of `asn` (NAT gateways, egress IPs, campus NAT). */
  addresses(rng: Rng, asn: Asn, n: number): Net[] {
    const p = this.prefix(rng, asn);
    return rng.sample(range(2, 250), n).map((h) => ({ ip: `${p.base}.${h}`, asn: asn.asn, asOrg: asn.org, country: asn.country }));
  }

  // ---- clients ----

  browser(rng: Rng): { ua: string; tls: string } {
    const b = BROWSERS[rng.index(BROWSERS.map((x) => x.weight))];
    return { ua: b.ua, tls: ja3(b.tls) };
  }

  /** An API client: SDK or raw HTTP, on one runtime. */
  sdkClient(rng: Rng, opts: { family?: string; format?: 'anthropic' | 'openai'; weights?: Record<string, number> } = {}): ClientProfile {
    let fam: ClientFamily;
    if (opts.family) {
      fam = CLIENT_FAMILIES.find((f) => f.id === opts.family) ?? CLIENT_FAMILIES[0];
    } else {
      const w = opts.weights ?? DEFAULT_CLIENT_WEIGHTS;
      const fams = CLIENT_FAMILIES.filter((f) => (w[f.id] ?? 0) > 0 && (!opts.format || f.format === opts.format || f.format === 'either'));
      fam = fams[rng.index(fams.map((f) => w[f.id] ?? 0))];
    }
    const format = fam.format === 'either' ? (opts.format ?? (rng.chance(0.55) ? 'openai' : 'anthropic')) : fam.format;
    const v = rng.pick(fam.versions);
    return { format, sdk: fam.sdk, userAgent: fam.ua(v), tls: ja3(rng.pick(fam.tls)) };
  }

  /** A web app calling the API from the browser (BYOK chat apps, playground-like tools). */
  browserClient(rng: Rng, format?: 'anthropic' | 'openai'): ClientProfile {
    const b = this.browser(rng);
    const f = format ?? (rng.chance(0.5) ? 'anthropic' : 'openai');
    return { format: f, sdk: f === 'anthropic' ? 'anthropic-typescript' : 'openai-node', userAgent: b.ua, tls: b.tls };
  }

  // ---- identities ----

  name(rng: Rng): [string, string] {
    return [rng.pick(FIRST_NAMES), rng.pick(LAST_NAMES)];
  }

  webmail(rng: Rng, country?: string): string {
    if (country === 'KR' && rng.chance(0.4)) return 'naver.com';
    if ((country === 'TW' || country === 'HK') && rng.chance(0.3)) return 'qq.com';
    if ((country === 'DE' || country === 'CH') && rng.chance(0.25)) return rng.pick(['gmx.de', 'web.de', 't-online.de']);
    if (country === 'FR' && rng.chance(0.2)) return rng.pick(['orange.fr', 'free.fr', 'laposte.net']);
    if (country === 'JP' && rng.chance(0.2)) return 'yahoo.co.jp';
    return rng.weighted(WEBMAIL);
  }

  companyDomain(rng: Rng): string {
    const w = rng.pick(COMPANY_WORDS);
    const s = rng.pick(COMPANY_SUFFIX);
    return rng.chance(0.5) ? `${w}${s}.${rng.pick(TLDS)}` : `${w}-${s}.${rng.pick(TLDS)}`;
  }

  /** An ordinary person's address: the many shapes real users pick. */
  personalEmail(rng: Rng, country?: string, domain?: string): string {
    const [f, l] = this.name(rng);
    const d = domain ?? this.webmail(rng, country);
    const yy = String(rng.int(70, 105) % 100).padStart(2, '0');
    const local = rng.weighted<() => string>([
      [() => `${f}.${l}`, 24],
      [() => `${f}${l}`, 10],
      [() => `${f}.${l}${rng.int(1, 99)}`, 8],
      [() => `${f[0]}${l}`, 8],
      [() => `${f}_${l}`, 4],
      [() => `${rng.pick(NICKNAMES)}${rng.int(1, 9999)}`, 12],
      [() => `${f}${rng.int(1, 999)}`, 10],
      [() => `${f}${l}${yy}`, 10],
      [() => `${f}.${l[0]}`, 4],
      [() => `${rng.pick(NICKNAMES)}_${f}`, 4],
      [() => `${l}.${f}`, 3],
      [() => `${f}${yy}`, 3],
    ])();
    return `${local}@${d}`;
  }

  card(rng: Rng, kind: 'common' | 'business' | 'prepaid', bins?: readonly string[]): Card {
    let bin: string;
    if (bins && bins.length) bin = rng.pick(bins);
    else if (kind === 'business') bin = rng.weighted(BUSINESS_BINS);
    else if (kind === 'prepaid') bin = rng.pick(PREPAID_BINS);
    else bin = rng.weighted(COMMON_BINS);
    return { fingerprint: opaqueId(rng, 'pm_'), bin };
  }

  phoneHash(rng: Rng): string {
    return rng.hex(24);
  }

  device(rng: Rng): string {
    return opaqueId(rng, 'dev_');
  }
}

const DEFAULT_CLIENT_WEIGHTS: Record<string, number> = {
  'anthropic-python': 30,
  'anthropic-typescript': 14,
  'openai-python': 26,
  'openai-node': 10,
  httpx: 5,
  requests: 7,
  curl: 3,
  go: 3,
  okhttp: 2,
};

function hextet(rng: Rng): string {
  return rng.int(0, 0xffff).toString(16);
}

function range(lo: number, hi: number): number[] {
  const xs: number[] = [];
  for (let i = lo; i <= hi; i++) xs.push(i);
  return xs;
}
