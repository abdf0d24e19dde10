// Hard negative: an ed-tech tutoring app whose one backend serves many end users. The app holds one
// API account per school it serves (business-verified, the app's card), all called from the same
// backend (its cloud gateways, one client configuration, one system prompt, the app's tutoring
// phrases) with the school's students as end users; the students ask about the same curriculum items.
import { DAY } from '../core/time.js';
import type { Built, Ctx } from './ctx.js';
import { STUDENT_HOURS, newAccount, scaled } from './ctx.js';
import { Emitter, drawStyle } from './exchange.js';
import type { SimAccount } from './exchange.js';
import { opaqueId } from './ids.js';
import type { Rng } from './rng.js';
import { Zipf, arrivals, byDay, withAccounts } from './streams.js';
import type { Pending } from './streams.js';
import { phraseBook, place, reword, vary } from './tradecraft.js';
import { ItemSet } from './work-queue.js';

const APPS = ['Brightpath Tutor', 'Mathwise', 'StudyLoop', 'Learnly', 'QuizPilot', 'Homework Hero'];

export function buildEdtech(ctx: Ctx, root: Rng): Built[] {
  const p = ctx.p.edtech;
  const w = ctx.world;
  const out: Built[] = [];
  for (let k = 0; k < scaled(p.apps, ctx.scale, 1); k++) {
    const r = root.fork(k);
    const app = r.pick(APPS);
    const domain = `${app.toLowerCase().replace(/[^a-z]/g, '')}.${r.pick(['com', 'io', 'app'])}`;
    const cc = r.weighted([['US', 50], ['GB', 20], ['IN', 15], ['AU', 15]] as const);
    const tz = w.tzOf(r, w.country(cc));
    const card = w.card(r, 'business');
    const gateways = w.addresses(r, w.cloud(r), r.int(2, 3));
    const client = w.sdkClient(r, { family: r.pick(['openai-node', 'anthropic-typescript', 'openai-python']) });
    const style = drawStyle(r, client.format);
    const system = `You are ${app}, a patient tutor for school students. Guide the student to the answer; never just give it away. Keep explanations at the student's level.`;
    const tutoring = phraseBook(r.fork('tutoring'), { elicit: 2, format: 1, followups: 2 });
    const curriculum = new ItemSet(ctx, r.fork('curriculum'), Math.max(1, p.curriculum), [['math', 50], ['coding', 20], ['reasoning', 30]]);
    const popular = new Zipf(curriculum.size, 0.9);
    const model = r.pick(['atlas-2-mini', 'atlas-2']);
    const schools: { a: SimAccount; key: string; users: string[]; daily: number; zipf: Zipf }[] = [];
    for (let i = 0, n = r.int(p.schoolsMin, Math.max(p.schoolsMin, p.schoolsMax)); i < n; i++) {
      const users = Array.from({ length: r.int(p.endUsersMin, Math.max(p.endUsersMin, p.endUsersMax)) }, () => `stu_${r.hex(10)}`);
      schools.push({
        a: newAccount(r, {
          label: 'organic', group: 'edtech', category: 'school_tenant', createdAt: ctx.start - r.uniform(10, 300) * DAY,
          email: `api+school${i + 1}@${domain}`, country: cc, verification: 'business', plan: 'paid',
          signupIp: gateways[0].ip, signupUserAgent: w.browser(r).ua, payment: card, links: { device_id: w.device(r) },
        }),
        key: opaqueId(r, 'key_'),
        users,
        daily: r.lognormal(p.schoolDaily, 0.6),
        zipf: new Zipf(users.length),
      });
    }
    const em = new Emitter(r, ctx.p.traffic.rate429, ctx.p.traffic.rate5xx);
    const events = byDay(ctx, (lo, hi) => {
      const evs: Pending[] = [];
      const wd = new Date(lo + tz * 3_600_000).getUTCDay();
      const factor = wd === 0 || wd === 6 ? 0.3 : 1;
      for (const s of schools) {
        for (const ts of arrivals(r, lo, hi, s.daily * factor, STUDENT_HOURS, tz)) {
          const question = reword(r, curriculum.item(popular.draw(r)));
          const phrases = [vary(r, r.pick(tutoring.elicit), 0.1)];
          if (r.chance(0.5)) phrases.push(vary(r, tutoring.format[0], 0.1));
          evs.push({
            acct: s.a,
            spec: {
              ts, model, client, net: r.pick(gateways), style, keyId: s.key, system,
              messages: [{ role: 'user', text: place(r, question, phrases) }],
              maxTokens: 1500, temperature: 0.4, endUser: s.users[s.zipf.draw(r)], outTokens: r.lognormal(350, 0.5),
            },
          });
        }
      }
      return evs;
    });
    out.push({ streams: [withAccounts(ctx, em, schools.map((s) => s.a), events)] });
  }
  return out;
}
