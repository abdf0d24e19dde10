// Hard negative: university classes. Dozens of accounts created the same week on one campus
// network (a few NAT addresses in one /24), .edu-like addresses, education plan, the same
// homework prompt with per-student variations, bursts before deadlines, casual use otherwise.
import { DAY, HOUR } from '../core/time.js';
import type { Built, Ctx } from './ctx.js';
import { STUDENT_HOURS, newAccount, scaled } from './ctx.js';
import type { SimEvent } from './exchange.js';
import { homePlan, links, netFn, personSpec } from './organic.js';
import type { Session } from './person.js';
import { personStream } from './person.js';
import type { Rng } from './rng.js';
import { assignment } from './text.js';
import type { Net } from './world.js';

interface Campus {
  name: string;
  domain: string;
  country: string;
  tz: number;
  nat: Net[];
}

const UNI_WORDS = ['Northfield', 'Lakeside', 'Riverside', 'Westbrook', 'Eastgate', 'Highland', 'Crestview', 'Fairmont', 'Kingsbridge', 'Stonehill'];

function campus(ctx: Ctx, r: Rng, k: number): Campus {
  const w = ctx.world;
  const cc = r.weighted([['US', 50], ['GB', 15], ['DE', 10], ['CA', 10], ['IN', 10], ['AU', 5]] as const);
  const word = r.pick(UNI_WORDS);
  const name = `${word} ${r.pick(['State University', 'University', 'Institute of Technology', 'College'])}`;
  const slug = word.toLowerCase();
  const domain = cc === 'GB' ? `${slug}.ac.uk` : cc === 'DE' ? `uni-${slug}.de` : cc === 'AU' ? `${slug}.edu.au` : cc === 'IN' ? `${slug}.ac.in` : `${slug}.edu`;
  const asn = w.addAsn(64700 + k, name, 'campus', cc, 1);
  const nat = w.addresses(r, asn, r.int(ctx.p.university.natIpsMin, Math.max(ctx.p.university.natIpsMin, ctx.p.university.natIpsMax)));
  return { name, domain, country: cc, tz: w.tzOf(r, w.country(cc)), nat };
}

export function buildUniversity(ctx: Ctx, root: Rng): Built {
  const u = ctx.p.university;
  const w = ctx.world;
  const n = scaled(u.classes, ctx.scale, 1);
  const campuses: Campus[] = [];
  const nCampus = Math.ceil(n / 2);
  const streams: Iterator<SimEvent>[] = [];
  const window = ctx.end - ctx.start;
  for (let c = 0; c < n; c++) {
    const r = root.fork(c);
    if (c < nCampus) campuses.push(campus(ctx, root.fork(`campus${c}`), c));
    const cp = campuses[c % nCampus];
    const country = w.country(cp.country);
    const hw = assignment(r);
    // The class signs up in one week: mostly before the window, sometimes in its first days.
    const week = r.chance(u.signupBeforeShare) ? ctx.start - r.uniform(7, 45) * DAY : ctx.start + r.uniform(0, 0.25) * window;
    const deadlines: number[] = [];
    for (let k = 0; k < u.deadlines; k++) {
      const frac = Math.min(0.97, Math.max(0.1, (k + 0.6) / u.deadlines + r.uniform(-0.08, 0.08)));
      const day = Math.floor((ctx.start + frac * window - ctx.day0) / DAY);
      deadlines.push(ctx.day0 + day * DAY + (23 - cp.tz) * HOUR + 59 * 60_000);
    }
    const sdk = w.sdkClient(r, { family: r.pick(['openai-python', 'anthropic-python']) });
    const labDevices = Array.from({ length: r.int(6, 12) }, () => w.device(r));
    const size = r.int(u.studentsMin, Math.max(u.studentsMin, u.studentsMax));
    for (let s = 0; s < size; s++) {
      const rs = r.fork(`s${s}`);
      const [f, l] = w.name(rs);
      const local = rs.weighted<string>([[`${f}.${l}`, 40], [`${f[0]}${l}${rs.int(1, 99)}`, 30], [`${l}${f[0]}`, 10], [`${f}${l}${rs.int(0, 9)}`, 20]]);
      const email = `${local}@${rs.chance(0.5) ? 'student.' : ''}${cp.domain}`;
      const createdAt = week + rs.uniform(0, 7) * DAY;
      const onCampus = rs.chance(u.onCampusSignupShare);
      const home = homePlan(ctx, rs, country, cp.tz, { mobile: rs.chance(0.3) });
      const plan = rs.chance(u.educationPlanShare) ? 'education' : 'free';
      const acct = newAccount(rs, {
        label: 'organic', group: 'university', category: 'student', createdAt, email, country: cp.country,
        verification: 'email', plan, signupIp: onCampus ? rs.pick(cp.nat).ip : home.home.ip, signupUserAgent: w.browser(rs).ua,
        links: links(w, rs, 'email', rs.chance(u.labDeviceShare) ? rs.pick(labDevices) : undefined),
      });
      const spec = personSpec(ctx, rs, acct, 'student', cp.tz, home);
      const homeNet = netFn(ctx, home);
      spec.net = (rr, t) => {
        const lt = new Date(t + cp.tz * HOUR);
        const wd = lt.getUTCDay();
        const h = lt.getUTCHours();
        return wd >= 1 && wd <= 5 && h >= 9 && h < 18 && rr.chance(u.campusSessionShare) ? rr.pick(cp.nat) : homeNet(rr, t);
      };
      spec.hours = STUDENT_HOURS;
      spec.rate = Math.max(1, rs.lognormal(u.casualRateMedian, 0.8));
      spec.activeP = u.casualActive;
      spec.weekendFactor = 0.9;
      if (rs.chance(u.classSdkShare)) {
        spec.client = sdk;
        spec.convIds = false;
      }
      spec.from = Math.max(createdAt + 10 * 60_000, ctx.start - DAY);
      // Homework sessions: 1-3 per deadline, crowding toward the deadline.
      const hwTimes: number[] = [];
      for (const dl of deadlines) {
        if (!rs.chance(u.homeworkShare)) continue;
        const k = rs.int(1, 3);
        for (let j = 0; j < k; j++) hwTimes.push(dl - u.homeworkHours * HOUR * Math.pow(rs.float(), 1.8));
      }
      hwTimes.sort((a, b) => a - b);
      const myVariant = hw.variant(rs);
      let first = true;
      spec.extra = (rr, dayStart): Session[] =>
        hwTimes.filter((t) => t >= dayStart && t < dayStart + DAY).map((at) => {
          const text = first ? myVariant : hw.variant(rr);
          first = false;
          return { at, convs: [{ opener: { text }, turns: rr.int(2, 7), model: 'atlas-2', maxTokens: spec.client.format === 'anthropic' ? 2048 : undefined, outMedian: 700 }] };
        });
      streams.push(personStream(ctx, spec));
    }
  }
  return { streams };
}
