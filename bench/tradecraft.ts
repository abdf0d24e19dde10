// bench:tradecraft — how well the population phrase background (src/link/phrase-frequency.ts) and the
// item spread of a candidate group (src/link/item-spread.ts) separate an operator from shared text that
// is not: per simulated group, the share of accounts whose prompts carry a tradecraft phrase on at least
// 20% of their prompts ("phrase"), and the share of those whose phrase group spreads over its items like
// one work queue ("phrase+queue": two independent kinds agreeing). Three passes over one input: the
// first learns the background, the next score accounts and groups against the final sketches (the
// separating power of the evidence, not yet its online timing).
//
//   node dist/bench/tradecraft.js --input DIR/input.ndjson --truth DIR/truth.json
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { ItemSpread } from '../src/link/item-spread.js';
import { PhraseFrequency, phraseHashes } from '../src/link/phrase-frequency.js';
import { lshParams } from '../src/sketches/lsh.js';
import { MinHasher } from '../src/sketches/minhash.js';

const { values } = parseArgs({ options: { input: { type: 'string' }, truth: { type: 'string' }, share: { type: 'string', default: '0.2' } } });
if (!values.input || !values.truth) throw new Error('usage: tradecraft --input input.ndjson --truth truth.json');
const truth = JSON.parse(await readFile(values.truth, 'utf8')) as { accounts: Record<string, { group: string }> };
const minShare = Number(values.share);

type Msg = { role: string; content: string | { type: string; text?: string }[] };
/** The prompt's new text: the last user turn (earlier turns are history). */
function lastUser(req: { messages?: Msg[] }): string {
  const ms = req.messages ?? [];
  for (let i = ms.length - 1; i >= 0; i--) {
    if (ms[i].role !== 'user') continue;
    const c = ms[i].content;
    return typeof c === 'string' ? c : c.map((b) => b.text ?? '').join(' ');
  }
  return '';
}

async function* prompts(): AsyncGenerator<[string, string]> {
  for await (const line of createInterface({ input: createReadStream(values.input!) })) {
    if (!line.includes('"type":"exchange"')) continue;
    const o = JSON.parse(line) as { account_id: string; request: { messages?: Msg[] } };
    yield [o.account_id, lastUser(o.request)];
  }
}

const f = new PhraseFrequency();
const index = new Map<string, number>();
for await (const [id, text] of prompts()) {
  let i = index.get(id);
  const first = i === undefined;
  if (first) index.set(id, (i = index.size));
  f.observe(i!, text, first);
}
const scratch: number[] = [];
const per = new Map<string, { prompts: number; marked: number; phrases: Map<number, number> }>();
for await (const [id, text] of prompts()) {
  const s = per.get(id) ?? per.set(id, { prompts: 0, marked: 0, phrases: new Map() }).get(id)!;
  s.prompts++;
  let marked = false;
  for (const h of phraseHashes(text, scratch)) {
    if (!f.tradecraft(h)) continue;
    marked = true;
    s.phrases.set(h, (s.phrases.get(h) ?? 0) + 1);
  }
  if (marked) s.marked++;
}
// Candidate groups: accounts marked by the same (most used) tradecraft phrase.
const groupOf = new Map<string, number>();
const members = new Map<number, number>();
for (const [id, s] of per) {
  if (s.prompts < 5 || s.marked / s.prompts < minShare) continue;
  let best = 0;
  let bestN = 0;
  for (const [h, n] of s.phrases) if (n > bestN) [best, bestN] = [h, n];
  groupOf.set(id, best);
  members.set(best, (members.get(best) ?? 0) + 1);
}
const hasher = new MinHasher({ seed: 'bench-tradecraft', numPerm: 16 });
const lsh = lshParams(0.5, 16);
const spreads = new Map<number, ItemSpread>();
for (const [g, n] of members) if (n >= f.rule.minAccounts) spreads.set(g, new ItemSpread(hasher, lsh));
const itemPhrases: number[] = [];
for await (const [id, text] of prompts()) {
  const g = groupOf.get(id);
  const sp = g === undefined ? undefined : spreads.get(g);
  if (!sp) continue;
  itemPhrases.length = 0;
  for (const h of phraseHashes(text, scratch)) {
    const st = f.stats(h);
    if (!f.tradecraft(h) && st.accounts <= f.rule.maxAccountShare * st.population) itemPhrases.push(h);
  }
  sp.observe(index.get(id)!, itemPhrases);
}
const groups = new Map<string, { accounts: number; marked: number; queue: number }>();
for (const id of per.keys()) {
  const g = truth.accounts[id]?.group ?? '?';
  const row = groups.get(g) ?? groups.set(g, { accounts: 0, marked: 0, queue: 0 }).get(g)!;
  row.accounts++;
  const pg = groupOf.get(id);
  if (pg === undefined) continue;
  row.marked++;
  if (spreads.get(pg)?.spread() === 'queue') row.queue++;
}
console.log(`population ${index.size} accounts; phrase sketches ${(f.bytes / 2 ** 20).toFixed(1)} MiB; ${spreads.size} candidate groups`);
console.log('group'.padEnd(16), 'accounts'.padStart(8), 'phrase'.padStart(7), 'share'.padStart(6), 'phrase+queue'.padStart(13), 'share'.padStart(6));
for (const [g, r] of [...groups].sort()) {
  console.log(g.padEnd(16), String(r.accounts).padStart(8), String(r.marked).padStart(7), (r.marked / r.accounts).toFixed(3).padStart(6), String(r.queue).padStart(13), (r.queue / r.accounts).toFixed(3).padStart(6));
}
console.log('\ncandidate groups (accounts, exchanges, accounts per item, repeat, spread):');
for (const [g, sp] of [...spreads].sort((a, b) => members.get(b[0])! - members.get(a[0])!)) {
  const st = sp.stats();
  const who = new Map<string, number>();
  for (const [id, pg] of groupOf) if (pg === g) who.set(truth.accounts[id]?.group ?? '?', (who.get(truth.accounts[id]?.group ?? '?') ?? 0) + 1);
  console.log(`  ${String(members.get(g)).padStart(5)} ${String(st.exchanges).padStart(7)} ${st.accountsPerItem.toFixed(2).padStart(6)} ${st.repeat.toFixed(2).padStart(5)} ${sp.spread().padEnd(9)} ${[...who].map(([k, v]) => `${k}:${v}`).join(' ')}`);
}
