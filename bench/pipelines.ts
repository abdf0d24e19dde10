// bench:pipelines — what the shared-pipeline linking (src/link/shared-pipelines.ts) saw in one input:
// every candidate group with its members by simulated group, its evidence, and whether it linked.
// Diagnostics for tuning on the simulator's hard negatives without looking at the operator's phrases.
//
//   node dist/bench/pipelines.js --input DIR/input.ndjson --truth DIR/truth.json [--config FILE] [--at HOURS,...]
//
// --at: at those event hours after the window's start, each hidden operator's state (truth groups
// hidden_*): its accounts active so far and how many are marked, hold pending phrases, sit in a candidate
// group, are linked; the phrases most of its accounts wrote so far as the linking reads them (accounts,
// uses per account, share of the population, grade); and the candidate groups holding its accounts.
import { parseArgs } from 'node:util';
import { buildEngineConfig, type EngineConfigInput } from '../src/config/schema.js';
import { loadConfigFile } from '../src/config/load.js';
import { scanSecretPath, withEmailKey } from '../src/config/secret.js';
import { Engine } from '../src/engine/engine.js';
import { readTruth } from '../src/eval/truth.js';
import { phraseHashes } from '../src/link/phrase-frequency.js';
import { Ingestor, ingestStream } from '../src/order/pipeline.js';

const { values } = parseArgs({ options: { input: { type: 'string' }, truth: { type: 'string' }, config: { type: 'string' }, at: { type: 'string' } } });
if (!values.input || !values.truth) throw new Error('usage: pipelines --input input.ndjson --truth truth.json [--config FILE]');
const truth = await readTruth(values.truth);
const fileCfg: EngineConfigInput = values.config ? await loadConfigFile(values.config) : {};
const cfg = await withEmailKey(buildEngineConfig(fileCfg), scanSecretPath());
const engine = new Engine(cfg);
const ingestor = new Ingestor({ maxLatenessMs: cfg.maxLatenessMs, maxLineBytes: cfg.maxLineBytes, emailKey: Buffer.from(cfg.emailKey) });
const start = Date.parse(String(truth.start));
const snapshots = (values.at ?? '')
  .split(',')
  .filter((x) => x !== '')
  .map((h) => start + Number(h) * 3_600_000);
// Per hidden operator (its truth category): per phrase the accounts of it that wrote it, and its uses.
const opOf = new Map<string, string>();
for (const id of Object.keys(truth.accounts)) {
  const t = truth.accounts[id];
  if (t.group === 'hidden' && t.category) opOf.set(id, t.category);
}
const written = new Map<string, Map<number, { accounts: Set<string>; uses: number }>>();
const activeOps = new Map<string, Set<string>>();
const scratch = new Uint32Array(4096);
const sampleBits = cfg.scoring.pipelines.phraseSampleBits;
for await (const batch of ingestStream([values.input], ingestor, { maxLineBytes: cfg.maxLineBytes })) {
  for (const r of batch.records) {
    while (snapshots.length > 0 && r.ts >= snapshots[0]) snapshot(snapshots.shift()!);
    engine.push(r);
    const op = snapshots.length > 0 && r.kind === 'exchange' ? opOf.get(r.accountId) : undefined;
    if (op === undefined || r.kind !== 'exchange') continue;
    if (!activeOps.has(op)) {
      activeOps.set(op, new Set());
      console.log(`${op}: first exchange at ${((r.ts - start) / 3_600_000).toFixed(1)} h of the window (${new Date(r.ts).toISOString().slice(5, 16)})`);
    }
    activeOps.get(op)!.add(r.accountId);
    let m = written.get(op);
    if (!m) written.set(op, (m = new Map()));
    for (const h of new Set(phraseHashes(r.prompt, [], scratch, sampleBits))) {
      let w = m.get(h);
      if (!w) m.set(h, (w = { accounts: new Set(), uses: 0 }));
      w.accounts.add(r.accountId);
      w.uses++;
    }
  }
}
engine.finish();
const accounts = engine.observer.list;
// The simulated group; an operation's own category where it has one (hidden_plain, hidden_careful).
const groupOf = (i: number): string => {
  const t = truth.accounts[accounts[i].id];
  return t === undefined ? '?' : t.group === 'hidden' && t.category ? t.category : t.group;
};
function snapshot(t: number): void {
  const pl = engine.linker.pipelines;
  const list = engine.observer.list;
  const idxOf = new Map(list.map((a) => [a.id, a.idx]));
  const pp = cfg.scoring.pipelines;
  console.log(`\n== at ${((t - start) / 3_600_000).toFixed(0)} h (${new Date(t).toISOString().slice(5, 16)})`);
  for (const [op, ids] of activeOps) {
    const idxs = [...ids].map((id) => idxOf.get(id)!).filter((i) => i !== undefined);
    let marked = 0;
    let share = 0;
    let pending = 0;
    let joined = 0;
    let linked = 0;
    const exchanges: number[] = [];
    for (const i of idxs) {
      const st = pl.accountStatus(i);
      exchanges.push(list[i].exchanges);
      if (st.marked > 0) marked++;
      if (list[i].exchanges >= pp.minExchanges && st.marked >= pp.markedShare * list[i].exchanges) share++;
      if (pl.pendingOf(i) > 0) pending++;
      if (st.candidate >= 0) joined++;
      if (pl.linkedBy(i)) linked++;
    }
    const med = (xs: number[]): number => (xs.length === 0 ? 0 : [...xs].sort((a, b) => a - b)[xs.length >> 1]);
    console.log(`${op}: active ${idxs.length}, exchanges median ${med(exchanges)}; marked ${marked}, marked>=${pp.markedShare} with >=${pp.minExchanges}ex ${share}, pending ${pending}, in candidate ${joined}, linked ${linked}`);
    // What the judge holds of them: own content score (signals), what the pipelines count them as, campaign size, score and verdict.
    const v = engine.judge.verdicts;
    const own: number[] = [];
    let gated = 0;
    let pipeHarvest = 0;
    const verdicts = new Map<string, number>();
    const scores: number[] = [];
    const campaigns = new Map<number, number>();
    for (const i of idxs) {
      const h = v.harvest(i);
      own.push(h);
      const ph = pl.harvest(i);
      if (ph > 0) pipeHarvest++;
      if (Math.max(h, ph) < cfg.scoring.contentGate) gated++;
      verdicts.set(v.verdict(i), (verdicts.get(v.verdict(i)) ?? 0) + 1);
      scores.push(v.score(i));
      const root = engine.linker.find(i);
      campaigns.set(root, (campaigns.get(root) ?? 0) + 1);
    }
    const sets = [...campaigns.values()].filter((n) => n > 1).sort((a, b) => b - a);
    const q = (xs: number[], f: number): string => (xs.length === 0 ? '-' : [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(f * xs.length))].toFixed(3));
    const kinds = new Map<string, number>();
    for (const i of idxs) {
      const e = pl.evidenceOf(i);
      if (!e) continue;
      const k = `${e.tradecraft ? 'T' : ''}${e.queue ? 'Q' : ''}${e.config ? 'C' : ''}${e.timing ? 'S' : ''}${e.distribution ? 'D' : ''}`;
      kinds.set(k, (kinds.get(k) ?? 0) + 1);
    }
    console.log(
      `  judge: own content p10/50/90 ${q(own, 0.1)}/${q(own, 0.5)}/${q(own, 0.9)} (gate ${cfg.scoring.contentGate}); pipeline harvest>0 ${pipeHarvest}; under the content gate ${gated}; linked sets (>1 of its) ${sets.slice(0, 6).join(',')}; linked on ${[...kinds].map(([k, n]) => `${k}:${n}`).join(' ')}; score p50/90 ${q(scores, 0.5)}/${q(scores, 0.9)}; verdicts ${[...verdicts].map(([k, n]) => `${k}:${n}`).join(' ')}`,
    );
    // The phrases most of its accounts wrote, as the linking reads them.
    const top = [...(written.get(op) ?? new Map<number, { accounts: Set<string>; uses: number }>())].sort((a, b) => b[1].accounts.size - a[1].accounts.size).slice(0, 8);
    for (const [h, w] of top) {
      const ps = pl.phraseStatus(h);
      console.log(
        `  phrase ${h.toString(16).padStart(8, '0')}: ${w.accounts.size} of its accounts, ${(w.uses / w.accounts.size).toFixed(2)} uses each; linking reads ${ps.accounts} accounts, ${(ps.uses / Math.max(1, ps.accounts)).toFixed(2)} uses each (tradecraft from ${pp.phraseMinUses}), ${((100 * ps.accounts) / Math.max(1, ps.population)).toFixed(2)}% of ${ps.population}, grade ${ps.grade}`,
      );
    }
    const idxSet = new Set(idxs);
    for (const c of pl.candidateGroups()) {
      const inside = c.members.filter((m) => idxSet.has(m)).length;
      if (inside === 0) continue;
      const e = c.evidence;
      const qt = e?.queueTest;
      console.log(
        `  group ${c.members.length} (${inside} of its): opened ${new Date(c.createdAt).toISOString().slice(5, 16)}, ${e ? `trade=${e.tradecraft ? 1 : 0}(${e.phraseAccounts}) queue=${e.queue ? 1 : 0}${qt ? ` qt(${qt.cross}/${qt.openers} openers, ${qt.members} members, p ${qt.p.toExponential(1)}, look ${qt.look})` : ` ex=${e.spread.exchanges}`} cfg=${e.config ? 1 : 0} time=${e.timing ? 1 : 0} mmd=${e.distribution ? 1 : 0}${e.mmd ? `(${e.mmd.members} vs ${e.mmd.background})` : ''} linked=${e.linked ? 1 : 0}` : 'not judged'}`,
      );
    }
  }
}

const p = engine.linker.pipelines;
const median = (xs: number[]): number => (xs.length === 0 ? 0 : [...xs].sort((a, b) => a - b)[xs.length >> 1]);
console.log(`pipeline sketches ${(p.bytes / 2 ** 20).toFixed(1)} MiB`);
for (const c of [...p.candidateGroups()].sort((a, b) => b.members.length - a.members.length)) {
  const who = new Map<string, number>();
  for (const m of c.members) who.set(groupOf(m), (who.get(groupOf(m)) ?? 0) + 1);
  const e = c.evidence;
  const ev = e
    ? `trade=${e.tradecraft ? 1 : 0}(${e.phraseAccounts}) ${e.spread.kind} api=${e.spread.accountsPerItem.toFixed(2)} rep=${e.spread.repeat.toFixed(2)} fresh=${e.spread.fresh.toFixed(2)} ex=${e.spread.exchanges} cfg=${e.config ? 1 : 0}(${e.configShare.toFixed(2)},${e.configConcentration.toFixed(2)}) time=${e.timing ? 1 : 0}(${e.silence.silences} silences, strongest ${e.silence.strongest.toFixed(1)} of ${e.silence.needed.toFixed(1)})${e.queueTest ? ` qt=${e.queueTest.spread}(cross ${e.queueTest.cross} of ${e.queueTest.openers} openers, ${e.queueTest.members} members; null mean ${e.queueTest.nullMean.toFixed(1)} max ${e.queueTest.nullMax}; p ${e.queueTest.p.toExponential(1)} at ${e.queueTest.level.toExponential(1)}, look ${e.queueTest.look})` : ''} mmd=${e.distribution ? 1 : 0}(${e.mmd ? `${e.mmd.mmd.toExponential(2)} of ${e.mmd.threshold.toExponential(2)}, ${e.mmd.members} vs ${e.mmd.background}` : '-'}) decl=${e.declared ? 1 : 0} LINKED=${e.linked ? 1 : 0}`
    : 'not evaluated';
  const day = (t: number | undefined): string => (t === undefined ? '-' : new Date(t).toISOString().slice(5, 16));
  const f = c.firstAt;
  const at = ` opened ${day(c.createdAt)}${c.linkedAt === undefined ? '' : ` linked ${day(c.linkedAt)}`} (first judged ${day(f.judged)}, tradecraft ${day(f.tradecraft)}, enough openers ${day(f.openers)}, queue ${day(f.queue)}, config ${day(f.config)}, timing ${day(f.timing)}, distribution ${day(f.distribution)})`;
  // Members' own use of the group's phrase (share of their exchanges that carried it, a lower bound): median per simulated group, and how many reach ownShare.
  const own = new Map<string, number[]>();
  for (const m of c.members) {
    const g = groupOf(m);
    if (!own.has(g)) own.set(g, []);
    own.get(g)!.push(p.ownUses(m, c.phrase) / Math.max(1, accounts[m].exchanges));
  }
  const ownText = [...own].map(([k, xs]) => `${k}:${median(xs).toFixed(3)}/${xs.filter((x) => x >= cfg.scoring.pipelines.ownShare).length}`).join(' ');
  console.log(`${String(c.members.length).padStart(5)} ${ev}${at}  ${[...who].map(([k, v]) => `${k}:${v}`).join(' ')}  own use median/systematic ${ownText}`);
}

// Why accounts of each simulated group did or did not join a candidate group: the gates of
// SharedPipelines.run in order (exchanges, share of exchanges carrying a tradecraft phrase), and the
// median background accounts of each account's most used tradecraft phrase.
const pp = cfg.scoring.pipelines;
const gates = new Map<string, { n: number; enough: number; marked: number; joined: number; linked: number; top: number[] }>();
for (const s of accounts) {
  if (s.exchanges === 0) continue;
  const g = groupOf(s.idx);
  let row = gates.get(g);
  if (!row) gates.set(g, (row = { n: 0, enough: 0, marked: 0, joined: 0, linked: 0, top: [] }));
  const st = p.accountStatus(s.idx);
  row.n++;
  if (s.exchanges >= pp.minExchanges) row.enough++;
  if (s.exchanges >= pp.minExchanges && st.marked >= pp.markedShare * s.exchanges) row.marked++;
  if (st.candidate >= 0) row.joined++;
  if (p.linkedBy(s.idx)) row.linked++;
  if (st.topPhraseAccounts > 0) row.top.push(st.topPhraseAccounts);
}
console.log(`\ngroup            accounts  >=${pp.minExchanges}ex  marked>=${pp.markedShare}  in candidate  linked  median top-phrase accounts`);
for (const [g, r] of [...gates].sort((a, b) => b[1].n - a[1].n)) {
  console.log(`${g.padEnd(16)} ${String(r.n).padStart(8)}  ${String(r.enough).padStart(6)}  ${String(r.marked).padStart(11)}  ${String(r.joined).padStart(12)}  ${String(r.linked).padStart(6)}  ${median(r.top)}`);
}
