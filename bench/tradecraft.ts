// bench:tradecraft — how well the population phrase background (src/link/phrase-frequency.ts) separates
// an operator's tradecraft from shared text that is not: per simulated group, the share of accounts
// whose prompts carry a phrase judged tradecraft on at least 20% of their prompts. Two passes over one
// input: the first learns the background online, the second scores each account against the final
// sketches (the separating power of the signal, not yet its online timing).
//
//   node dist/bench/tradecraft.js --input DIR/input.ndjson --truth DIR/truth.json
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { PhraseFrequency, phraseHashes } from '../src/link/phrase-frequency.js';

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
const per = new Map<string, { prompts: number; marked: number }>();
for await (const [id, text] of prompts()) {
  const s = per.get(id) ?? per.set(id, { prompts: 0, marked: 0 }).get(id)!;
  s.prompts++;
  if (phraseHashes(text, scratch).some((h) => f.tradecraft(h))) s.marked++;
}
const groups = new Map<string, { accounts: number; marked: number }>();
for (const [id, s] of per) {
  const g = truth.accounts[id]?.group ?? '?';
  const row = groups.get(g) ?? groups.set(g, { accounts: 0, marked: 0 }).get(g)!;
  row.accounts++;
  if (s.prompts >= 5 && s.marked / s.prompts >= minShare) row.marked++;
}
console.log(`population ${index.size} accounts; sketches ${(f.bytes / 2 ** 20).toFixed(1)} MiB; an account is marked when >= ${minShare * 100}% of its prompts carry a tradecraft phrase`);
console.log('group'.padEnd(16), 'accounts'.padStart(8), 'marked'.padStart(7), 'share'.padStart(7));
for (const [g, r] of [...groups].sort()) console.log(g.padEnd(16), String(r.accounts).padStart(8), String(r.marked).padStart(7), (r.marked / r.accounts).toFixed(3).padStart(7));
