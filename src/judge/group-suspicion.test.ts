import { describe, expect, it } from 'vitest';
import { buildEngineConfig } from '../config/schema.js';
import type { CanonicalRecord } from '../core/records.js';
import { DAY, HOUR, MINUTE } from '../core/time.js';
import type { AccountState } from '../observe/account-state.js';
import { Observed } from '../../test/helpers/observe.js';
import type { Dimension } from '../link/dimensions.js';
import { Group } from '../link/groups.js';
import { account, exchange, harvestPrompt, organicPrompt, rng, T0 } from '../../test/helpers/records.js';
import { DEFAULT_SCORING } from '../config/scoring.js';
import { evaluateGroup } from './group-suspicion.js';

const { harvestMin: HARVEST_MIN, suspicionMin: SUSPICION_MIN } = DEFAULT_SCORING;
import { Judge } from './judge.js';
import { GroupScore, GroupScores } from './group-scores.js';

const CEILING = 64000;
const MAX_GROUP = 2000;

/** Observes the records, then lets the judge score each account's content (its `harvest`), as before any group is judged. */
function observe(recs: CanonicalRecord[]): { obs: Observed; at: number } {
  const cfg = buildEngineConfig({ modelCeilings: { 'model-x': CEILING } });
  const obs = new Observed(cfg);
  recs.sort((a, b) => a.ts - b.ts);
  for (const r of recs) {
    if (r.kind === 'exchange') obs.exchange(r);
    else obs.account(r);
  }
  const at = recs[recs.length - 1].ts;
  const judge = new Judge(cfg, obs.observer, obs.linker);
  for (const s of obs.list) judge.judgeAccount(s, at);
  for (const s of obs.list) judgeOf.set(s, judge);
  return { obs, at };
}

/** The judge of each test world's accounts: their content scores and group flags are its. */
const judgeOf = new WeakMap<AccountState, Judge>();
const harvest = (s: AccountState): number => judgeOf.get(s)!.verdicts.harvest(s.idx);

/** Builds a world once, on first use, for the tests that read it. */
function once<T>(build: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= build());
}

/** A farm of 12 on its own. */
const farmWorld = once(() => observe(farm(12, rng(1))));
/** 600 ordinary people behind one NAT, with the 12-account farm among them. */
const natWorld = once(() => observe([...cgnat(600, rng(6)), ...farm(12, rng(1))]));

/** What evaluating a group found: its suspicion and the flags and detail the judge keeps for it. */
interface Judged {
  suspicion: number;
  detail: GroupScore['detail'];
  lockstep: boolean;
  loadBalanced: boolean;
}

function judgeGroup(dim: Dimension, members: AccountState[], at: number, maxGroupSize = MAX_GROUP): Judged {
  const g = new Group(`${dim}:test`, dim, 0);
  members.forEach((m) => g.members.add(m.idx));
  const scores = new GroupScores();
  const verdicts = judgeOf.get(members[0])!.verdicts;
  const suspicion = evaluateGroup(g, scores, () => members, (idx) => verdicts.groupFlags(idx), maxGroupSize, Math.floor(at / HOUR));
  const sc = scores.of(g.slot) ?? new GroupScore();
  return { suspicion, detail: sc.detail, lockstep: sc.lockstep, loadBalanced: sc.loadBalanced };
}

function members(obs: Observed, prefix: string): AccountState[] {
  return obs.list.filter((s) => s.id.startsWith(prefix));
}

/** Throwaway accounts on shared cards, fed broad harvesting work by one queue around the clock. */
function farm(n: number, r: () => number): CanonicalRecord[] {
  const recs: CanonicalRecord[] = [];
  const start = T0 + 2 * DAY;
  for (let a = 0; a < n; a++) {
    const id = `farm${a}`;
    recs.push(account(id, start + a * MINUTE, { createdAt: start + a * MINUTE, paymentFingerprint: `card${a % 3}`, plan: 'free', verification: 'email' }));
    for (let k = 0; k < 60; k++) {
      const ts = start + HOUR + Math.floor(r() * 3 * DAY);
      recs.push(exchange(id, ts, harvestPrompt(a * 100 + k), { maxTokens: CEILING, model: 'model-x', client: { ip: `203.0.113.${a}` } }));
    }
  }
  return recs;
}

/** One organization's batch job: many keys, one system prompt, one extraction template over documents, 24/7. */
function enterprise(n: number, r: () => number, prompt: (i: number) => string, opts: { declared: boolean }): CanonicalRecord[] {
  const recs: CanonicalRecord[] = [];
  for (let a = 0; a < n; a++) {
    const id = `corp${a}`;
    const created = T0 - 400 * DAY + a * DAY;
    recs.push(
      account(id, created, {
        createdAt: created,
        plan: opts.declared ? 'enterprise' : 'paid',
        verification: opts.declared ? 'business' : 'phone',
        orgId: opts.declared ? 'acme' : undefined,
      }),
    );
    for (let k = 0; k < 60; k++) {
      const ts = T0 + Math.floor(r() * 3 * DAY);
      recs.push(
        exchange(id, ts, prompt(a * 1000 + k), {
          orgId: opts.declared ? 'acme' : undefined,
          system: 'You are the document processing service of Acme Corp.',
          maxTokens: CEILING,
          model: 'model-x',
        }),
      );
    }
  }
  return recs;
}

const extractionPrompt = (i: number): string =>
  `Extract the invoice number, the issue date, the supplier and the total amount from the following document and return them as JSON.\n\nINVOICE ${10000 + i}\nSupplier: Northwind ${i % 17}\nDate: 2026-03-${(i % 28) + 1}\nTotal: ${(i * 37) % 9000} EUR`;

/** A class: accounts created the same week on campus, education plan, one homework prompt, daytime bursts. */
function universityClass(n: number, r: () => number, homework: string[]): CanonicalRecord[] {
  const recs: CanonicalRecord[] = [];
  for (let a = 0; a < n; a++) {
    const id = `student${a}`;
    const created = T0 + Math.floor(r() * 5) * DAY + (9 + Math.floor(r() * 8)) * HOUR;
    recs.push(account(id, created, { createdAt: created, plan: 'education', verification: 'email', signupIp: `130.237.5.${a + 10}` }));
    for (let k = 0; k < 12; k++) {
      const ts = T0 + 6 * DAY + (k % 2) * DAY + (10 + Math.floor(r() * 12)) * HOUR + Math.floor(r() * HOUR);
      recs.push(exchange(id, ts, homework[(a + k) % homework.length], { maxTokens: 4096, model: 'model-x', client: { ip: `130.237.5.${a + 10}` } }));
    }
  }
  return recs;
}

/** Unrelated people behind one carrier-grade NAT: old accounts, ordinary chat, daytime, ~1% step-by-step. */
function cgnat(n: number, r: () => number): CanonicalRecord[] {
  const recs: CanonicalRecord[] = [];
  let k = 0;
  for (let a = 0; a < n; a++) {
    const id = `user${a}`;
    const created = T0 - Math.floor(30 + r() * 900) * DAY;
    recs.push(account(id, created, { createdAt: created, plan: r() < 0.7 ? 'free' : 'paid', verification: r() < 0.5 ? 'email' : 'phone' }));
    const count = 5 + Math.floor(r() * 20);
    for (let j = 0; j < count; j++, k++) {
      const ts = T0 + Math.floor(r() * 5) * DAY + (7 + Math.floor(r() * 15)) * HOUR + Math.floor(r() * HOUR);
      const prompt = k % 100 === 0 ? `Can you explain step by step how compound interest works? (${k})` : organicPrompt(k);
      recs.push(exchange(id, ts, prompt, { maxTokens: 1024 * (1 + (k % 4)), model: 'model-x', turns: 1 + (k % 5), client: { ip: `100.64.7.${k % 250}` } }));
    }
  }
  return recs;
}

describe('group suspicion: farms and hard negatives', () => {
  it('finds a farm suspicious: fresh, weakly verified, harvesting broadly, fed by one queue', () => {
    const { obs, at } = farmWorld();
    const farmers = members(obs, 'farm');
    for (const s of farmers) expect(harvest(s)).toBeGreaterThanOrEqual(HARVEST_MIN);
    for (const dim of ['payment', 'ip_prefix', 'template'] as const) {
      const g = judgeGroup(dim, farmers, at);
      expect(g.suspicion, dim).toBeGreaterThanOrEqual(0.9);
      expect(g.detail).toMatchObject({ accounts: 12, harvesting_share: 1, fresh_share: 1, declared_org: 0 });
      expect(g.detail.breadth).toBeGreaterThanOrEqual(3);
      expect(g.loadBalanced, dim).toBe(true); // a steady total made of bursty members
      expect(g.lockstep, dim).toBe(false);
    }
  });

  it('does not find a declared, business-verified enterprise running one extraction template suspicious', () => {
    const { obs, at } = observe(enterprise(10, rng(2), extractionPrompt, { declared: true }));
    for (const dim of ['system', 'template'] as const) {
      const g = judgeGroup(dim, members(obs, 'corp'), at);
      expect(g.suspicion, dim).toBeLessThan(SUSPICION_MIN);
      expect(g.detail).toMatchObject({ accounts: 10, fresh_share: 0, breadth: 0, declared_org: 1 });
    }
  });

  it('discounts a declared organization even when its batch job harvests broadly (and only then)', () => {
    const declared = observe(enterprise(10, rng(3), harvestPrompt, { declared: true }));
    const gd = judgeGroup('system', members(declared.obs, 'corp'), declared.at);
    const undeclared = observe(enterprise(10, rng(3), harvestPrompt, { declared: false }));
    const gu = judgeGroup('system', members(undeclared.obs, 'corp'), undeclared.at);
    expect(gd.detail).toMatchObject({ harvesting_share: 1, declared_org: 1 });
    expect(gd.suspicion).toBeLessThan(SUSPICION_MIN);
    expect(gu.detail).toMatchObject({ harvesting_share: 1, declared_org: 0 });
    expect(gu.suspicion).toBeGreaterThanOrEqual(SUSPICION_MIN);
  });

  it('does not find a university class with an ordinary homework prompt suspicious', () => {
    const homework = ['For my history class: summarize the main causes of the French Revolution in about two hundred words.'];
    const { obs, at } = observe(universityClass(30, rng(4), homework));
    for (const dim of ['signup_ip', 'ip_prefix', 'template'] as const) {
      const g = judgeGroup(dim, members(obs, 'student'), at);
      expect(g.suspicion, dim).toBeLessThan(SUSPICION_MIN);
      expect(g.detail.fresh_share).toBe(1);
    }
  });

  const SHOW_YOUR_WORK = [
    'Problem set 3, question 2: a ball is thrown straight up at 20 m/s. How high does it rise before falling back? Show your work.',
    'Problem set 3 question 2: ball thrown up at 20 m/s, how high does it go? show your work please',
  ];

  it('sees the students of a "show your work" homework as harvesting, narrowly (reasoning + math)', () => {
    const { obs, at } = observe(universityClass(30, rng(5), SHOW_YOUR_WORK));
    const students = members(obs, 'student');
    for (const s of students) expect(harvest(s)).toBeGreaterThanOrEqual(HARVEST_MIN);
    expect(judgeGroup('template', students, at).detail).toMatchObject({ harvesting_share: 1, fresh_share: 1, breadth: 2 });
  });

  // A class is all fresh accounts (full coordination) and each student elicits reasoning, but on the same
  // homework problem: the group's item diversity (distinct masked prompts per reasoning-eliciting prompt)
  // is what tells it from a harvest, which asks about a different item every time.
  it('does not find a university class with a "show your work" homework prompt suspicious', () => {
    const { obs, at } = observe(universityClass(30, rng(5), SHOW_YOUR_WORK));
    for (const dim of ['signup_ip', 'ip_prefix', 'template'] as const) {
      expect(judgeGroup(dim, members(obs, 'student'), at).suspicion, dim).toBeLessThan(SUSPICION_MIN);
    }
  });

  it('does not find ordinary users behind a carrier-grade NAT suspicious, even with a farm among them', () => {
    const { obs, at } = natWorld();
    const people = obs.list.filter((s) => s.id.startsWith('user'));
    expect(people.filter((s) => harvest(s) >= HARVEST_MIN)).toEqual([]);
    expect(judgeGroup('ip_prefix', people, at).suspicion).toBe(0);
    // The farm is 2% of the prefix's accounts: diluted far below the line, where on its own it is certain.
    const g = judgeGroup('ip_prefix', obs.list, at);
    expect(g.detail.accounts).toBe(612);
    expect(g.detail.harvesting_share).toBeCloseTo(12 / 612);
    expect(g.suspicion).toBeLessThan(SUSPICION_MIN / 10);
    expect(judgeGroup('ip_prefix', members(obs, 'farm'), at).suspicion).toBeGreaterThanOrEqual(0.9);
  });
});

describe('group suspicion: size and composition', () => {
  it('treats a group larger than the configured maximum as common infrastructure', () => {
    const { obs, at } = farmWorld();
    const g = judgeGroup('ip_prefix', members(obs, 'farm'), at, 10);
    expect(g.suspicion).toBe(0);
    expect(g.lockstep).toBe(false);
  });

  it('needs three accounts to share a weak thing, two to share an identity thing (discounted)', () => {
    const { obs, at } = farmWorld();
    const pair = members(obs, 'farm').slice(0, 2);
    expect(judgeGroup('template', pair, at).suspicion).toBe(0);
    expect(judgeGroup('client', pair, at).suspicion).toBe(0);
    const card = judgeGroup('payment', pair, at);
    expect(card.suspicion).toBeCloseTo(0.6); // a family card is common: 0.6 of a full group
    const trio = judgeGroup('template', members(obs, 'farm').slice(0, 3), at);
    expect(trio.suspicion).toBeGreaterThan(card.suspicion);
  });

  it('never finds an organization id suspicious by itself', () => {
    const { obs, at } = farmWorld();
    expect(judgeGroup('org', members(obs, 'farm'), at).suspicion).toBe(0);
  });
});

/** New, phone-verified paid accounts harvesting one narrow thing (step-by-step maths) in daytime only. */
const ITEM_WORDS = ['copper', 'glass', 'paper', 'steel', 'cotton', 'sugar', 'cement', 'rubber', 'timber', 'salt', 'wool', 'clay', 'tin', 'silk', 'corn', 'oil', 'zinc'];

function daytimeHarvesters(n: number, hoursOf: (a: number) => number[]): CanonicalRecord[] {
  const recs: CanonicalRecord[] = [];
  for (let a = 0; a < n; a++) {
    const id = `day${a}`;
    recs.push(account(id, T0 - 2 * DAY, { createdAt: T0 - 2 * DAY, plan: 'paid', verification: 'phone' }));
    let k = 0;
    for (const h of hoursOf(a)) {
      for (let j = 0; j < 6; j++, k++) {
        // Distinct items (words differ, not only numbers), all math with step-by-step requests.
        const prompt = `Solve for x: ${a + 2}x + ${k} = ${3 * k + 7}, the ${ITEM_WORDS[k % ITEM_WORDS.length]} rate of plant ${String.fromCharCode(97 + (k % 26), 97 + ((k + 5 * a) % 26), 97 + a)}. Show your work step by step.`;
        recs.push(exchange(id, T0 + h * HOUR + j * 7 * MINUTE + a * 1000, prompt, { maxTokens: 2048, model: 'model-x' }));
      }
    }
  }
  return recs;
}

describe('group suspicion: coordination', () => {
  const BUSY = [9, 10, 13, 15, 17, 24 + 9, 24 + 11, 24 + 12, 24 + 16, 24 + 18];

  it('adds lockstep to a group near the line', () => {
    const lock = observe(daytimeHarvesters(6, () => BUSY));
    const gl = judgeGroup('payment', members(lock.obs, 'day'), lock.at);
    // The same people, each busy in its own daytime hours.
    const indep = observe(daytimeHarvesters(6, (a) => BUSY.map((h, i) => h + ((a + i) % 3) - 1 + (i % 2 === 0 ? 0 : a % 2))));
    const gi = judgeGroup('payment', members(indep.obs, 'day'), indep.at);
    expect(gi.detail).toMatchObject({ harvesting_share: 1, fresh_share: 1, breadth: 2 });
    // Near the line: high enough for coordination to be looked at, low enough for it to matter.
    expect(gi.suspicion).toBeGreaterThanOrEqual(0.8 * SUSPICION_MIN);
    expect(gi.suspicion).toBeLessThan(0.8);
    expect(gl.lockstep).toBe(true);
    expect(gi.lockstep).toBe(false);
    expect(gl.loadBalanced || gi.loadBalanced).toBe(false);
    expect(gl.suspicion).toBeCloseTo(gi.suspicion + 0.1);
  });

  it('does not look at coordination for a group far from the line', () => {
    // Established accounts sharing a card (a family, a small team) asking narrow step-by-step questions, in lockstep.
    const recs = daytimeHarvesters(6, () => BUSY).map((r) => (r.kind === 'account' ? { ...r, createdAt: T0 - 400 * DAY } : r));
    const { obs, at } = observe(recs);
    const g = judgeGroup('payment', members(obs, 'day'), at);
    expect(g.detail.fresh_share).toBe(0);
    expect(g.suspicion).toBeLessThan(0.8 * SUSPICION_MIN);
    expect(g.lockstep).toBe(false);
  });
});
