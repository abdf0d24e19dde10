// The simulator's entry point: resolve a scenario, build every actor's lazy streams, merge them
// by time into DIR/input.ndjson and write the ground truth to DIR/truth.json.
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { DAY, HOUR, toIso } from '../core/time.js';
import { buildBenchmark } from './benchmark.js';
import { NEW_MODEL } from './catalog.js';
import { buildCoding } from './coding.js';
import { Texts, loadCorpora } from './corpus.js';
import type { Built, CampaignKind, Ctx } from './ctx.js';
import { scaled } from './ctx.js';
import { buildEnterprise } from './enterprise.js';
import { buildEvasive } from './evasive.js';
import type { Group, Label, SimEvent } from './exchange.js';
import { buildEdtech } from './edtech.js';
import { buildEvalOrg } from './eval-org.js';
import { buildFarm } from './farm.js';
import { buildHidden } from './hidden.js';
import { buildHydra } from './hydra.js';
import { merge } from './merge.js';
import { buildMooc } from './mooc.js';
import { buildOrganic, buildSharedNat } from './organic.js';
import { buildOutage } from './outage.js';
import { DEFAULTS, applyOverrides, cloneParams } from './params.js';
import type { SimParams } from './params.js';
import { buildPromptLibrary } from './prompt-library.js';
import { buildReseller } from './reseller.js';
import { Rng } from './rng.js';
import { scenario } from './scenarios.js';
import { buildTrace } from './trace.js';
import { buildUniversity } from './university.js';
import { World } from './world.js';
import { ItemSet } from './work-queue.js';

export const DEFAULT_START = '2026-04-01T00:00:00.000Z';

export interface SimOptions {
  scenario: string;
  scale: number;
  seed: number;
  /** Output directory. */
  out: string;
  /** Directory of prompt corpora (organic-*.jsonl, distill-*.jsonl); built-in text when absent. */
  prompts?: string;
  days?: number;
  /** Window start, epoch ms. */
  start?: number;
  /** Parameter overrides, `path=value`. */
  set?: readonly string[];
  /** A whole parameter set (overrides applied on top). */
  params?: SimParams;
  /** Extension: one operation across providers; the same value in two runs with different seeds gives
   *  their farm/pivot campaigns the same infrastructure and scaffolds with different accounts. */
  operationSeed?: number;
}

export interface TruthAccount {
  label: Label;
  group: Group;
  category: string;
  campaign: string | null;
}

export interface TruthCampaign {
  kind: CampaignKind;
  accounts: string[];
  start: string | null;
  exchanges: number;
}

export interface Truth {
  version: 1;
  scenario: string;
  scale: number;
  seed: number;
  start: string;
  end: string;
  prompts: string;
  accounts: Record<string, TruthAccount>;
  campaigns: Record<string, TruthCampaign>;
  models: { released: Record<string, string> };
  /** Extension: counts per group, for reports and sanity checks. */
  counts: { exchanges: number; accounts: number; groups: Record<string, { accounts: number; exchanges: number }> };
}

export interface SimResult {
  exchanges: number;
  accounts: number;
  /** Accounts that sent at least one exchange; the others signed up and sent nothing (scan scores only senders). */
  senders: number;
  input: string;
  truth: string;
}

export async function simulate(opts: SimOptions): Promise<SimResult> {
  const sc = scenario(opts.scenario);
  const p = applyOverrides(cloneParams(opts.params ?? DEFAULTS), opts.set ?? []);
  const days = opts.days ?? sc.days;
  const start = opts.start ?? Date.parse(DEFAULT_START);
  const end = start + days * DAY;
  const scale = opts.scale * sc.baseScale;
  const corpora = opts.prompts ? loadCorpora(opts.prompts, p.traffic.maxPromptChars) : null;
  const root = new Rng(`distillguard-sim/${opts.seed >>> 0}`);
  const ctx: Ctx = {
    p,
    world: new World(root.fork('world')),
    texts: new Texts(corpora, p.traffic.maxPromptChars, p.organic.stepByStepShare),
    root,
    start,
    end,
    days,
    day0: Math.floor(start / DAY) * DAY,
    release: start + Math.floor(days * p.window.releaseFraction) * DAY + p.window.releaseHourUtc * HOUR,
    scale,
  };
  if (opts.operationSeed !== undefined) {
    const op = new Rng(`distillguard-sim-operation/${opts.operationSeed >>> 0}`);
    ctx.operation = { rng: op, world: new World(op.fork('world')) };
  }

  const built: Built[] = [buildOrganic(ctx, root.fork('organic'))];
  if (sc.hardNegatives) {
    built.push(buildSharedNat(ctx, root.fork('shared_nat')));
    built.push(buildUniversity(ctx, root.fork('university')));
    built.push(...buildEnterprise(ctx, root.fork('enterprise')));
    built.push(...buildBenchmark(ctx, root.fork('benchmark')));
    built.push(...buildCoding(ctx, root.fork('coding')));
    built.push(...buildReseller(ctx, root.fork('reseller')));
  }
  for (const kind of sc.campaigns) {
    const key = `${kind}-1`;
    const r = root.fork(`campaign/${key}`);
    if (kind === 'farm') built.push(buildFarm(ctx, r, 'farm', p.farm, key, 0));
    else if (kind === 'pivot') built.push(buildFarm(ctx, r, 'pivot', p.pivot, key, 1));
    else if (kind === 'hydra') built.push(buildHydra(ctx, r, key));
    else if (kind === 'trace_harvest') built.push(buildTrace(ctx, r, key));
    else built.push(buildEvasive(ctx, r, key));
  }
  if (sc.disclosureNegatives) {
    built.push(buildMooc(ctx, root.fork('mooc')));
    built.push(buildPromptLibrary(ctx, root.fork('prompt_library')));
    built.push(...buildEvalOrg(ctx, root.fork('eval_org')));
    built.push(...buildEdtech(ctx, root.fork('edtech')));
    built.push(buildOutage(ctx, root.fork('outage')));
  }
  const hidden = sc.hidden ?? [];
  // One public payload set for operators that harvest the same benchmarks, each starting elsewhere in it.
  const publicItems = sc.sharedItems ? new ItemSet(ctx, root.fork('public-items'), scaled(40_000 * hidden.length, scale, 500)) : undefined;
  hidden.forEach((h, i) => {
    const key = `hidden-${i + 1}`;
    const r = root.fork(`campaign/${key}`);
    built.push(buildHidden(ctx, r, {
      key, accounts: h.accounts, care: p.hidden[h.care], items: publicItems, itemOffset: publicItems ? r.int(0, publicItems.size - 1) : 0,
    }));
  });

  const truth: Truth = {
    version: 1,
    scenario: sc.name,
    scale: opts.scale,
    seed: opts.seed,
    start: toIso(start),
    end: toIso(end),
    prompts: ctx.texts.label,
    accounts: {},
    campaigns: {},
    models: { released: { [NEW_MODEL]: toIso(ctx.release) } },
    counts: { exchanges: 0, accounts: 0, groups: {} },
  };
  for (const b of built) {
    if (b.campaign) truth.campaigns[b.campaign.key] = { kind: b.campaign.kind, accounts: [], start: null, exchanges: 0 };
  }

  await mkdir(opts.out, { recursive: true });
  const input = join(opts.out, 'input.ndjson');
  const ws = createWriteStream(input, { highWaterMark: 1 << 20 });
  const groups = truth.counts.groups;
  const senders = new Set<string>();
  let buf: string[] = [];
  let size = 0;
  for (const ev of merge(built.flatMap((b) => b.streams))) {
    record(truth, groups, ev);
    if (ev.order !== 0) senders.add(ev.acct.id);
    buf.push(ev.line);
    size += ev.line.length;
    if (size >= 1 << 20) {
      const ok = ws.write(buf.join('\n') + '\n');
      buf = [];
      size = 0;
      if (!ok) await once(ws, 'drain');
    }
  }
  if (buf.length) ws.write(buf.join('\n') + '\n');
  ws.end();
  await finished(ws);
  const truthPath = join(opts.out, 'truth.json');
  await writeFile(truthPath, JSON.stringify(truth, null, 1) + '\n');
  return { exchanges: truth.counts.exchanges, accounts: truth.counts.accounts, senders: senders.size, input, truth: truthPath };
}

function record(truth: Truth, groups: Truth['counts']['groups'], ev: SimEvent): void {
  const a = ev.acct;
  let g = groups[a.group];
  if (!g) g = groups[a.group] = { accounts: 0, exchanges: 0 };
  if (ev.order === 0) {
    if (truth.accounts[a.id]) return; // a later update of a known account
    truth.accounts[a.id] = { label: a.label, group: a.group, category: a.category, campaign: a.campaign };
    truth.counts.accounts++;
    g.accounts++;
    if (a.campaign) truth.campaigns[a.campaign].accounts.push(a.id);
    return;
  }
  if (!truth.accounts[a.id]) throw new Error(`sim: exchange of ${a.id} before its account record`);
  truth.counts.exchanges++;
  g.exchanges++;
  if (a.campaign) {
    const c = truth.campaigns[a.campaign];
    c.exchanges++;
    if (c.start === null) c.start = new Date(ev.ts).toISOString();
  }
}
