// Warninglists (MISP-style): benign templates and shared infrastructure that a peer's indicator must
// never turn into evidence, so a poisoned or careless feed cannot ban real customers. Built-in entries
// cover private and carrier-grade NAT address space and a few scaffolds everybody uses; a deployment adds
// its own (its customers' corporate proxies, cloud egress ranges, popular public prompts).
import type { AllowlistConfig } from '../config/intel.js';
import { fingerprintSimilarity, MATCH_SIMILARITY, scaffoldWindows, TemplateFingerprinter, type TemplateFingerprint } from './fingerprint.js';
import type { Keyring } from './keyring.js';


/** Address space no single operation owns: private, shared (CGNAT), loopback, link-local, multicast. */
const BUILTIN_PREFIXES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '224.0.0.0/4', 'fc00::/7', 'fe80::/10'];

/** Scaffolds that ordinary users and public benchmarks send by the million. */
const BUILTIN_TEMPLATES = [
  "Let's think step by step. Solve the following problem and show your work: \"x\"",
  'Translate the following text into English and keep the formatting: "x"',
  'Summarize the following text in a few sentences for a busy reader: "x"',
  'Explain the following concept in simple terms as if I were five years old: "x"',
  'Fix the bugs in the following code and explain what was wrong: ```x```',
  'Write a professional email to my manager asking for a day off next week because of a family event',
];

interface Cidr {
  v6: boolean;
  bits: number;
  words: number[]; // 4 (v4: 1) 32-bit words
}

function parseCidr(s: string): Cidr | undefined {
  const [addr, len] = s.trim().split('/');
  if (addr === undefined || len === undefined || !/^\d+$/.test(len)) return undefined;
  const bits = Number(len);
  if (addr.includes(':')) {
    const words = v6Words(addr);
    return words && bits <= 128 ? { v6: true, bits, words } : undefined;
  }
  const parts = addr.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255) || bits > 32) return undefined;
  return { v6: false, bits, words: [((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0] };
}

function v6Words(addr: string): number[] | undefined {
  const [head, tail] = addr.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  if (addr.split('::').length > 2) return undefined;
  const fill = 8 - h.length - t.length;
  if (fill < 0 || (tail === undefined && fill !== 0)) return undefined;
  const groups = [...h, ...Array<string>(fill).fill('0'), ...t].map((g) => parseInt(g, 16));
  if (groups.some((g) => !Number.isInteger(g) || g < 0 || g > 0xffff)) return undefined;
  return [0, 1, 2, 3].map((i) => ((groups[2 * i] << 16) | groups[2 * i + 1]) >>> 0);
}

/** Whether prefix `inner` lies inside `outer` (same family, at least as long, same leading bits). */
function within(inner: Cidr, outer: Cidr): boolean {
  if (inner.v6 !== outer.v6 || inner.bits < outer.bits) return false;
  let left = outer.bits;
  for (let w = 0; left > 0; w++, left -= 32) {
    const n = Math.min(32, left);
    const mask = n === 32 ? 0xffffffff : (~(0xffffffff >>> n)) >>> 0;
    if (((inner.words[w] & mask) >>> 0) !== ((outer.words[w] & mask) >>> 0)) return false;
  }
  return true;
}

export class Allowlist {
  private readonly prefixes: Cidr[];
  private readonly asns: Set<number>;
  private readonly userAgents: Set<string>;
  private readonly templates: TemplateFingerprint[] = [];

  constructor(cfg: Partial<AllowlistConfig> = {}, keyring?: Keyring) {
    this.prefixes = [...BUILTIN_PREFIXES, ...(cfg.prefixes ?? [])].map(parseCidr).filter((c) => c !== undefined);
    this.asns = new Set(cfg.asns ?? []);
    this.userAgents = new Set(cfg.userAgents ?? []);
    if (keyring) {
      const fp = new TemplateFingerprinter(keyring);
      for (const text of [...BUILTIN_TEMPLATES, ...(cfg.templates ?? [])]) {
        for (const w of scaffoldWindows(text)) for (const id of keyring.ids) this.templates.push(fp.sign(w.text, w.window, id));
      }
    }
  }

  /** Whether a peer's indicator names something on the warninglist. */
  suppresses(kind: string, value: string, fingerprint?: TemplateFingerprint): boolean {
    switch (kind) {
      case 'ip_prefix': {
        const c = parseCidr(value);
        return c === undefined || this.prefixes.some((p) => within(c, p));
      }
      case 'asn':
        return this.asns.has(Number(value));
      case 'user_agent':
        return this.userAgents.has(value);
      case 'template_fingerprint':
        return fingerprint !== undefined && this.templates.some((t) => fingerprintSimilarity(t, fingerprint) >= MATCH_SIMILARITY);
      default:
        return false;
    }
  }
}
