// Where prompt text comes from: the built-in generators, or real corpora given with --prompts.
// Corpus files: organic-*.jsonl (organic first turns, `followups` for later turns) and
// distill-*.jsonl (harvesting payloads; `answer` feeds reasoning-reconstruction prompts).
// Benchmark evaluators draw real benchmark items (distill-math*) too: that is the hard negative.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Rng } from './rng.js';
import { codingItem, followup, mathItem, organicPrompt, payload, qaItem } from './text.js';
import type { Item, PayloadKind, Topic } from './text.js';

export interface CorpusItem {
  text: string;
  answer?: string;
  followups?: string[];
}

export interface Corpora {
  dir: string;
  organic: CorpusItem[];
  distill: CorpusItem[];
  math: CorpusItem[];
  withAnswers: CorpusItem[];
}

/** Cut a text to `max` characters; the result is always a prefix of the original. */
export function cut(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max);
}

function readJsonl(path: string, max: number): CorpusItem[] {
  const out: CorpusItem[] = [];
  const lines = readFileSync(path, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    let o: unknown;
    try {
      o = JSON.parse(line);
    } catch {
      throw new Error(`prompt corpus ${path}:${i + 1}: not JSON`);
    }
    const rec = o as { text?: unknown; answer?: unknown; followups?: unknown };
    if (typeof rec.text !== 'string' || !rec.text.trim()) continue;
    const item: CorpusItem = { text: cut(rec.text, max) };
    if (typeof rec.answer === 'string' && rec.answer.trim()) item.answer = cut(rec.answer, max);
    if (Array.isArray(rec.followups)) {
      const fu = rec.followups.filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => cut(x, max));
      if (fu.length) item.followups = fu;
    }
    out.push(item);
  }
  return out;
}

export function loadCorpora(dir: string, maxChars: number): Corpora {
  let files: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    files = readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort();
  } catch {
    throw new Error(`prompts directory not found or unreadable: ${dir}`);
  }
  const c: Corpora = { dir, organic: [], distill: [], math: [], withAnswers: [] };
  for (const f of files) {
    if (f.startsWith('organic-')) c.organic.push(...readJsonl(join(dir, f), maxChars));
    else if (f.startsWith('distill-')) {
      const items = readJsonl(join(dir, f), maxChars);
      c.distill.push(...items);
      if (f.startsWith('distill-math')) c.math.push(...items);
      c.withAnswers.push(...items.filter((x) => x.answer));
    }
  }
  if (!c.organic.length) throw new Error(`prompts directory ${dir} has no organic-*.jsonl with text`);
  if (!c.distill.length) throw new Error(`prompts directory ${dir} has no distill-*.jsonl with text`);
  return c;
}

/** One conversation opener: its first user turn and, from a corpus, its real later turns. */
export interface Opener {
  text: string;
  followups?: string[];
}

export class Texts {
  constructor(
    readonly corpora: Corpora | null,
    private readonly maxChars: number,
    private readonly stepShare: number,
  ) {}

  get label(): string {
    return this.corpora ? this.corpora.dir : 'builtin';
  }

  organic(r: Rng, topic: Topic, lang: string): Opener {
    if (this.corpora) {
      const it = r.pick(this.corpora.organic);
      return { text: it.text, followups: it.followups };
    }
    return { text: cut(organicPrompt(r, topic, lang, this.stepShare), this.maxChars) };
  }

  /** The user's turn `k` (1-based after the opener) of a conversation. */
  followup(r: Rng, opener: Opener, k: number): string {
    const fu = opener.followups;
    if (fu && k - 1 < fu.length) return fu[k - 1];
    return followup(r);
  }

  /** A harvesting payload for one capability. */
  payload(r: Rng, kind: PayloadKind): string {
    if (this.corpora) {
      if (kind === 'math' && this.corpora.math.length) return r.pick(this.corpora.math).text;
      return r.pick(this.corpora.distill).text;
    }
    return cut(payload(r, kind), this.maxChars);
  }

  /** A question with a completed answer, for reasoning reconstruction and rubric grading. */
  qa(r: Rng): Item {
    if (this.corpora && this.corpora.withAnswers.length) {
      const it = r.pick(this.corpora.withAnswers);
      return { text: it.text, answer: it.answer };
    }
    return qaItem(r);
  }

  /** `n` distinct benchmark items, each to be asked once. */
  benchItems(r: Rng, kind: 'math' | 'coding', n: number, sweep: number): Item[] {
    if (kind === 'math') {
      if (this.corpora && this.corpora.math.length) {
        return r.sample(this.corpora.math, Math.min(n, this.corpora.math.length)).map((x) => ({ text: x.text, answer: x.answer }));
      }
      const seen = new Set<string>();
      const out: Item[] = [];
      for (let guard = 0; out.length < n && guard < n * 20; guard++) {
        const it = mathItem(r);
        if (seen.has(it.text)) continue;
        seen.add(it.text);
        out.push(it);
      }
      return out;
    }
    const out: Item[] = [];
    for (let i = 0; i < n; i++) out.push(codingItem(r, sweep * 10000 + i));
    return out;
  }
}
