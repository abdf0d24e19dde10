// Hard negative: thousands of users of one popular prompt-library browser extension. Ordinary
// people with ordinary questions who paste the extension's snippets (some ask for step-by-step
// reasoning, some fix an output format, some are follow-up turns): short phrases shared by
// thousands of unrelated accounts, from the same kind of text an operator writes.
import type { Built, Ctx } from './ctx.js';
import { scaled } from './ctx.js';
import type { SimEvent } from './exchange.js';
import { homePlan, personSpec } from './organic.js';
import { ordinaryAccount } from './ordinary.js';
import { personStream } from './person.js';
import type { Rng } from './rng.js';
import type { Topic } from './text.js';
import { phraseBook, place, vary } from './tradecraft.js';

const TOPICS: readonly (readonly [Topic, number])[] = [['casual', 30], ['developer', 25], ['student', 15], ['writer', 10], ['professional', 15], ['researcher', 5]];

export function buildPromptLibrary(ctx: Ctx, root: Rng): Built {
  const p = ctx.p.promptLibrary;
  const w = ctx.world;
  const snippets = phraseBook(root.fork('extension'), { elicit: p.elicitPhrases, format: p.formatPhrases, followups: p.followupPhrases });
  const streams: Iterator<SimEvent>[] = [];
  for (let i = 0; i < scaled(p.users, ctx.scale, 1); i++) {
    const r = root.fork(i);
    const country = w.pickCountry(r);
    const tz = w.tzOf(r, country);
    const home = homePlan(ctx, r, country, tz);
    const acct = ordinaryAccount(ctx, r, { group: 'prompt_library', category: 'extension_user', country, signupIp: home.home.ip });
    const spec = personSpec(ctx, r, acct, r.weighted(TOPICS), tz, home);
    const use = Math.min(0.9, r.lognormal(p.useShare, 0.6));
    const ordinary = spec.content;
    spec.content = (rr, t, turns) => {
      const conv = ordinary(rr, t, turns);
      if (!rr.chance(use)) return conv;
      const snippet = rr.chance(0.6) ? rr.pick(snippets.elicit) : rr.pick(snippets.format);
      const followups = turns > 1 && rr.chance(0.3) ? [vary(rr, rr.pick(snippets.followups), 0.2)] : conv.opener.followups;
      return { ...conv, opener: { text: place(rr, conv.opener.text, [vary(rr, snippet, 0.2)]), followups } };
    };
    streams.push(personStream(ctx, spec));
  }
  return { streams };
}
