// Hard negative: benchmark evaluators. Sweeps of thousands of math or coding items, each asked
// once, "Let's think step by step", finished in a few hours, dealt across a few accounts like
// parallel workers, from cloud machines; one team sweeps the new model right after release.
import { DAY, HOUR } from '../core/time.js';
import { NEW_MODEL } from './catalog.js';
import type { Built, Ctx } from './ctx.js';
import { newAccount, scaled } from './ctx.js';
import { Emitter, drawStyle } from './exchange.js';
import type { SimAccount } from './exchange.js';
import { opaqueId } from './ids.js';
import { links, verification } from './organic.js';
import type { Rng } from './rng.js';
import { withAccounts } from './streams.js';
import type { Pending } from './streams.js';

interface Sweep {
  start: number;
  hours: number;
  kind: 'math' | 'coding';
  model: string;
}

export function buildBenchmark(ctx: Ctx, root: Rng): Built[] {
  const b = ctx.p.benchmark;
  const w = ctx.world;
  const out: Built[] = [];
  const n = scaled(b.evaluators, ctx.scale, 1);
  const window = ctx.end - ctx.start;
  for (let e = 0; e < n; e++) {
    const r = root.fork(e);
    const lab = r.chance(0.5);
    const domain = lab ? `${r.pick(['cs', 'ai', 'nlp'])}.${r.pick(['northfield', 'lakeside', 'kingsbridge', 'eastgate'])}.edu` : w.companyDomain(r);
    const cc = r.weighted([['US', 60], ['GB', 15], ['DE', 10], ['CA', 10], ['SG', 5]] as const);
    const card = w.card(r, lab ? 'common' : 'business');
    const cloud = w.cloud(r, [16509, 396982, 15169, 8075]);
    const ips = w.addresses(r, cloud, r.int(1, 3));
    const client = w.sdkClient(r, { family: r.pick(['openai-python', 'anthropic-python', 'httpx']) });
    const style = { ...drawStyle(r, client.format), stream: false };
    const orgId = r.chance(0.5) ? opaqueId(r, 'org_') : undefined;
    const nAcc = r.int(1, Math.max(1, b.accountsMax));
    const accts: { a: SimAccount; key: string }[] = [];
    for (let i = 0; i < nAcc; i++) {
      const v = verification(r);
      const a = newAccount(r, {
        label: 'organic', group: 'benchmark', category: lab ? 'academic_eval' : 'eval_company', createdAt: ctx.start - r.uniform(10, 300) * DAY,
        email: w.personalEmail(r, cc, domain), country: cc, verification: v, plan: lab ? r.pick(['research', 'paid'] as const) : 'paid',
        signupIp: w.residential(r, w.country(cc)).ip, signupUserAgent: w.browser(r).ua, payment: card, orgId, links: links(w, r, v),
      });
      accts.push({ a, key: opaqueId(r, 'key_') });
    }
    const sweeps: Sweep[] = [];
    const ns = r.int(b.sweepsMin, Math.max(b.sweepsMin, b.sweepsMax));
    for (let s = 0; s < ns; s++) {
      sweeps.push({ start: ctx.start + r.uniform(0, 0.95) * window, hours: r.uniform(b.hoursMin, b.hoursMax), kind: r.chance(0.6) ? 'math' : 'coding', model: r.pick(['atlas-2', 'atlas-2-pro', 'atlas-2-mini']) });
    }
    if (e === 0 && ctx.release < ctx.end) {
      sweeps.push({ start: ctx.release + r.uniform(2, Math.max(2, b.releaseSweepWithinHours)) * HOUR, hours: r.uniform(b.hoursMin, b.hoursMax), kind: 'math', model: NEW_MODEL });
    }
    sweeps.sort((x, y) => x.start - y.start);
    const em = new Emitter(r, ctx.p.traffic.rate429, ctx.p.traffic.rate5xx);
    const system = r.chance(0.5) ? undefined : 'You are a helpful assistant.';
    const stepStyle = r.int(0, 2);
    function* events(): Generator<Pending> {
      let busyUntil = -Infinity;
      for (let s = 0; s < sweeps.length; s++) {
        const sw = sweeps[s];
        const items = ctx.texts.benchItems(r, sw.kind, r.int(b.itemsMin, Math.max(b.itemsMin, b.itemsMax)), e * 100 + s);
        const start = Math.max(sw.start, busyUntil + HOUR);
        const dur = sw.hours * HOUR;
        const passK = sw.kind === 'coding' && client.format === 'openai' && r.chance(0.5);
        let t = start;
        let rr = 0;
        for (const it of items) {
          t += r.exp(dur / items.length);
          const text = sw.kind === 'math'
            ? stepStyle === 0 ? `${it.text}\nLet's think step by step.` : stepStyle === 1 ? `Question: ${it.text}\nAnswer: Let's think step by step.` : `Solve the following problem. Let's think step by step and put the final answer after "####".\n\n${it.text}`
            : it.text;
          const x = accts[rr++ % accts.length];
          yield {
            acct: x.a,
            spec: {
              ts: t, model: sw.model, client, net: r.pick(ips), style, keyId: x.key, orgId, system,
              messages: [{ role: 'user', text }],
              maxTokens: sw.kind === 'math' ? 1024 : 2048,
              temperature: passK ? 0.8 : 0,
              n: passK ? 5 : undefined,
              outTokens: r.lognormal(sw.kind === 'math' ? 260 : 380, 0.5),
            },
          };
        }
        busyUntil = t;
      }
    }
    out.push({ streams: [withAccounts(ctx, em, accts.map((x) => x.a), events())] });
  }
  return out;
}
