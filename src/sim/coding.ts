// Hard negative: coding-agent power users. Many tool definitions, agent loops whose requests
// carry 50-200 messages (abbreviated here; usage still counts the full context), big inputs,
// hundreds of calls on a workday, home/office networks, quick adoption of a new model.
import { DAY, HOUR, MINUTE } from '../core/time.js';
import { CEILING, CODING_AGENTS, NEW_MODEL } from './catalog.js';
import type { Built, Ctx } from './ctx.js';
import { WORK_HOURS, adoption, newAccount, scaled, timeInDay, weekday } from './ctx.js';
import { Emitter, drawStyle } from './exchange.js';
import type { Msg } from './exchange.js';
import { opaqueId } from './ids.js';
import { homePlan, links, netFn, signupTime, verification } from './organic.js';
import { effortOf } from './person.js';
import type { Rng } from './rng.js';
import { withAccounts } from './streams.js';
import type { Pending } from './streams.js';
import { AGENT_TOOLS, agentTurn, followup, repoTask } from './text.js';
import { ja3 } from './world.js';

const AGENT_SYSTEM = 'You are an interactive coding agent working in the user\'s repository. Use the tools to read, search and edit files and to run commands. Keep changes minimal, run the tests before finishing, and explain what you changed. Never invent file contents: read them first. [... 9k tokens of agent instructions, environment details and tool usage rules elided ...]';

export function buildCoding(ctx: Ctx, root: Rng): Built[] {
  const c = ctx.p.coding;
  const w = ctx.world;
  const out: Built[] = [];
  const n = scaled(c.users, ctx.scale, 1);
  for (let i = 0; i < n; i++) {
    const r = root.fork(i);
    const country = w.country(r.weighted([['US', 45], ['DE', 10], ['GB', 10], ['IN', 10], ['CA', 8], ['FR', 5], ['JP', 4], ['BR', 4], ['PL', 4]] as const));
    const tz = w.tzOf(r, country);
    const office = r.chance(0.5) ? w.host(r, w.prefix(r, w.isp(r, country))) : undefined;
    const plan = homePlan(ctx, r, country, tz, { office, mobile: false });
    const net = netFn(ctx, plan);
    const v = verification(r);
    const acct = newAccount(r, {
      label: 'organic', group: 'coding_agent', category: r.pick(['agent_cli', 'ide_agent']), createdAt: signupTime(ctx, r, 0.02),
      email: w.personalEmail(r, country.code, r.chance(0.3) ? w.companyDomain(r) : undefined), country: country.code, verification: v,
      plan: 'paid', signupIp: plan.home.ip, signupUserAgent: w.browser(r).ua, payment: w.card(r, 'common'), links: links(w, r, v),
    });
    const [ua, format, tls] = r.pick(CODING_AGENTS);
    const client = { format, sdk: format === 'anthropic' ? 'anthropic-typescript' : 'openai-python', userAgent: ua, tls: ja3(tls) };
    const style = { ...drawStyle(r, format), stream: true };
    const tools = r.sample(AGENT_TOOLS, r.int(c.toolsMin, Math.max(c.toolsMin, Math.min(AGENT_TOOLS.length, c.toolsMax))));
    const baseModel = r.pick(['atlas-2-pro', 'atlas-2', 'atlas-2-pro']);
    const adoptAt = adoption(r, ctx, c.adoptionPerDay);
    const maxPick = r.pick([8192, 16000, 'ceiling'] as const);
    const think = r.chance(c.thinkingShare) ? r.pick([4000, 8000, 16000]) : 0;
    const key = opaqueId(r, 'key_');
    const em = new Emitter(r, ctx.p.traffic.rate429, ctx.p.traffic.rate5xx);
    function* events(): Generator<Pending> {
      let busy = -Infinity;
      for (let d = -1; d <= ctx.days; d++) {
        const dayStart = ctx.day0 + d * DAY - tz * HOUR;
        const wd = weekday(ctx, d);
        if ((wd === 0 || wd === 6) && !r.chance(c.weekendActive)) continue;
        if (r.chance(c.dayOffShare)) continue;
        const nConv = r.int(c.conversationsMin, Math.max(c.conversationsMin, c.conversationsMax));
        const starts = Array.from({ length: nConv }, () => timeInDay(r, dayStart, WORK_HOURS)).sort((a, b) => a - b);
        for (const st of starts) {
          let t = Math.max(st, busy + 5 * MINUTE);
          const convId = opaqueId(r, 'conv_');
          const model = t >= adoptAt && r.chance(c.newModelTraffic) ? NEW_MODEL : baseModel;
          const maxTokens = maxPick === 'ceiling' ? CEILING[model] : Math.min(maxPick, CEILING[model]);
          const turns = Math.round(Math.min(c.turnsMax, Math.max(c.turnsMin, r.lognormal(Math.sqrt(c.turnsMin * c.turnsMax), 0.45))));
          const history: Msg[] = [{ role: 'user', text: repoTask(r) }];
          let elided = 0;
          while (history.length <= turns) {
            const thinking = think && r.chance(0.5) && maxTokens - 2048 >= 1024 ? Math.min(think, maxTokens - 2048) : 0;
            const spec: Pending['spec'] = {
              ts: t, model, client, net: net(r, t), style, keyId: key, conversationId: convId, system: AGENT_SYSTEM,
              messages: history.slice(), maxTokens, tools, outTokens: r.lognormal(220, 0.9),
              extraInputTokens: 9000 + elided, cacheRead: 8000 + Math.round(elided * 0.9), toolCall: r.chance(c.toolCallShare),
            };
            if (thinking) {
              if (format === 'anthropic') spec.thinkingBudget = thinking;
              else spec.reasoningEffort = effortOf(thinking);
              spec.reasoningTokens = Math.round(r.lognormal(thinking * 0.2, 0.7));
            }
            yield { acct, spec };
            history.push({ role: 'assistant', text: agentTurn(r, true) });
            history.push({ role: 'user', text: r.chance(0.04) ? followup(r) : agentTurn(r, false) });
            elided += Math.round(r.lognormal(900, 0.9));
            t += r.chance(0.07) ? r.exp(3 * MINUTE) : Math.max(1500, r.lognormal(11_000, 0.6));
          }
          busy = t;
        }
      }
    }
    out.push({ streams: [withAccounts(ctx, em, [acct], events())] });
  }
  return out;
}
