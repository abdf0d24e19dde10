// Hard negative: an online course cohort. Hundreds of students around the world (each on their own
// home network, account and card) work through one problem set, module by module, with the course's
// prompt guide: many accounts, the same items, the same guide phrases, a co-onset when a module opens.
// A class is the opposite of a work queue: every student asks every item.
import { DAY, HOUR } from '../core/time.js';
import type { Built, Ctx } from './ctx.js';
import { STUDENT_HOURS, scaled } from './ctx.js';
import type { SimEvent } from './exchange.js';
import { homePlan, personSpec } from './organic.js';
import { ordinaryAccount } from './ordinary.js';
import type { Conv, Session } from './person.js';
import { personStream } from './person.js';
import type { Rng } from './rng.js';
import { phraseBook, place, reword, vary } from './tradecraft.js';
import { ItemSet } from './work-queue.js';

export function buildMooc(ctx: Ctx, root: Rng): Built {
  const m = ctx.p.mooc;
  const w = ctx.world;
  const streams: Iterator<SimEvent>[] = [];
  const window = ctx.end - ctx.start;
  for (let k = 0; k < scaled(m.cohorts, ctx.scale, 1); k++) {
    const r = root.fork(k);
    const guide = phraseBook(r.fork('guide'), { elicit: 3, format: 2, followups: 2 });
    const problems = new ItemSet(ctx, r.fork('problems'), Math.max(1, m.problems));
    const modules = Math.max(1, m.modules);
    const perModule = Math.ceil(problems.size / modules);
    const opens = Array.from({ length: modules }, (_, i) => ctx.start + (0.02 + (0.9 * i) / modules) * window + r.uniform(0, 6) * HOUR);
    const enrolled = ctx.start - r.uniform(3, 20) * DAY;
    const size = r.int(m.studentsMin, Math.max(m.studentsMin, m.studentsMax));
    for (let s = 0; s < size; s++) {
      const rs = r.fork(`s${s}`);
      const country = w.pickCountry(rs);
      const tz = w.tzOf(rs, country);
      const home = homePlan(ctx, rs, country, tz);
      const acct = ordinaryAccount(ctx, rs, { group: 'mooc', category: 'mooc_student', country, signupIp: home.home.ip, createdAt: enrolled + rs.uniform(-10, 12) * DAY });
      const spec = personSpec(ctx, rs, acct, 'student', tz, home);
      spec.hours = STUDENT_HOURS;
      let next = 0;
      const course = (rr: Rng, t: number, turns: number, model?: string): Conv => {
        const released = Math.min(problems.size, perModule * opens.filter((o) => o <= t).length);
        const i = next < released ? next++ : rr.below(Math.max(1, released));
        const phrases = rr.chance(m.guideShare) ? [vary(rr, rr.pick(guide.elicit), 0.5)] : [];
        if (phrases.length && rr.chance(0.4)) phrases.push(vary(rr, rr.pick(guide.format), 0.5));
        const followups = rr.chance(0.3) ? [vary(rr, rr.pick(guide.followups), 0.5)] : undefined;
        return { opener: { text: place(rr, reword(rr, problems.item(i)), phrases), followups }, turns, model, outMedian: 500 };
      };
      const ordinary = spec.content;
      spec.content = (rr, t, turns) => {
        const conv = ordinary(rr, t, turns);
        if (t < opens[0] || !rr.chance(m.courseShare)) return conv;
        return { ...course(rr, t, turns, conv.model), maxTokens: conv.maxTokens, temperature: conv.temperature, system: conv.system };
      };
      // A module's release: most students start on it within a day or two.
      const starts = opens.filter(() => rs.chance(m.moduleStart)).map((o) => o + rs.exp(14 * HOUR));
      spec.extra = (rr, dayStart) => {
        const out: Session[] = [];
        for (const at of starts) {
          if (at < dayStart || at >= dayStart + DAY) continue;
          const convs: Conv[] = [];
          for (let c = rr.int(2, 5); c > 0; c--) convs.push({ ...course(rr, at, rr.geometric(1.4)), maxTokens: 2048 });
          out.push({ at, convs });
        }
        return out;
      };
      streams.push(personStream(ctx, spec));
    }
  }
  return { streams };
}
