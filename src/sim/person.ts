// A human-paced account: active on some days, a few sessions a day at hours its time zone
// and habits favour, multi-turn conversations with growing context. Organic users, NAT'd
// users, students and the evasive campaign all run on this; what differs is the content.
import { DAY, HOUR, MINUTE } from '../core/time.js';
import { cut } from './corpus.js';
import type { Opener } from './corpus.js';
import type { Ctx } from './ctx.js';
import { pickModel, timeInDay, weekday } from './ctx.js';
import { CEILING } from './catalog.js';
import { Emitter } from './exchange.js';
import type { ExSpec, Msg, SimAccount, SimEvent, Style, ToolDef } from './exchange.js';
import { opaqueId } from './ids.js';
import type { Rng } from './rng.js';
import { assistantStub } from './text.js';
import type { ClientProfile, Net } from './world.js';

/** One conversation: what is asked and how the request is shaped. */
export interface Conv {
  opener: Opener;
  turns: number;
  system?: string;
  model?: string;
  maxTokens?: number;
  temperature?: number;
  tools?: readonly ToolDef[];
  /** Extended thinking budget (Anthropic) / mapped to reasoning_effort (OpenAI). */
  think?: number;
  n?: number;
  logprobs?: boolean;
  topLogprobs?: number;
  endUser?: string;
  /** Median visible output tokens. */
  outMedian: number;
}

export interface Session {
  at: number;
  convs: Conv[];
}

export interface PersonSpec {
  acct: SimAccount;
  rng: Rng;
  /** UTC offset in hours. */
  tz: number;
  hours: readonly number[];
  /** Chance of being active on a weekday, and the weekend multiplier. */
  activeP: number;
  weekendFactor: number;
  /** Typical exchanges on an active day. */
  rate: number;
  jitter: number;
  turnsMean: number;
  /** Activity window: sign-up (+ a little) to quitting. */
  from: number;
  until: number;
  /** The network a session comes from. */
  net: (r: Rng, t: number) => Net;
  client: ClientProfile;
  /** Occasionally another client (a quick curl, another machine). */
  alt?: ClientProfile;
  style: Style;
  /** The client app sends conversation ids. */
  convIds: boolean;
  keys: string[];
  orgId?: string;
  modelMix: number[];
  adoptAt: number;
  /** The content of a conversation of `turns` turns starting at `t`. */
  content: (r: Rng, t: number, turns: number) => Conv;
  /** Extra sessions on the local day starting at `dayStart` (homework before a deadline). */
  extra?: (r: Rng, dayStart: number) => Session[];
  /** Later account records (plan upgrades), in time order. */
  updates?: { ts: number; fields: Record<string, string> }[];
  /**
   * Something outside the account that stops it (a pipeline outage, a network outage): the session
   * planned at `at` happens at the returned time instead (a backlog after the stop), or not at all (null).
   */
  gate?: (r: Rng, at: number) => number | null;
}

export function effortOf(budget: number): string {
  return budget >= 16000 ? 'high' : budget >= 4000 ? 'medium' : 'low';
}

/** Fill an ExSpec's format-specific knobs from a conversation. */
export function shape(spec: ExSpec, conv: Conv, r: Rng): void {
  const ceiling = CEILING[spec.model] ?? 32000;
  const budget = conv.think ? Math.min(conv.think, ceiling - 2048) : 0;
  if (budget >= 1024) {
    if (spec.client.format === 'anthropic') {
      // The API wants budget_tokens < max_tokens, and temperature left at its default.
      spec.thinkingBudget = budget;
      if (spec.maxTokens === undefined || spec.maxTokens <= budget) spec.maxTokens = Math.min(ceiling, budget + 4096);
      spec.temperature = undefined;
    } else {
      spec.reasoningEffort = effortOf(budget);
    }
    spec.reasoningTokens = Math.round(r.lognormal(budget * 0.35, 0.6));
  }
  if (spec.client.format === 'openai') {
    spec.n = conv.n;
    spec.logprobs = conv.logprobs;
    spec.topLogprobs = conv.topLogprobs;
  }
}

export function* personStream(ctx: Ctx, s: PersonSpec): Generator<SimEvent> {
  const r = s.rng;
  const a = s.acct;
  const em = new Emitter(r, ctx.p.traffic.rate429, ctx.p.traffic.rate5xx);
  const hist = ctx.p.traffic.historyChars;
  let last = ctx.start;
  if (a.createdAt >= ctx.start && a.createdAt < ctx.end) {
    yield em.account(a, a.createdAt);
    last = a.createdAt;
  }
  let upd = 0;
  let busy = -Infinity;
  for (let d = -1; d <= ctx.days; d++) {
    const dayStart = ctx.day0 + d * DAY - s.tz * HOUR;
    if (dayStart + DAY <= s.from || dayStart >= s.until || dayStart >= ctx.end) continue;
    const wd = weekday(ctx, d);
    const weekend = wd === 0 || wd === 6;
    const sessions: Session[] = [];
    if (r.chance(Math.min(0.97, s.activeP * (weekend ? s.weekendFactor : 1)))) {
      let n = Math.max(1, Math.round(s.rate * Math.exp(s.jitter * r.normal())));
      const lens: number[] = [];
      while (n > 0) {
        const len = Math.min(n, r.geometric(s.turnsMean));
        lens.push(len);
        n -= len;
      }
      const k = Math.min(lens.length, 1 + Math.floor(r.exp(0.9) + lens.length / 12));
      const starts: number[] = [];
      for (let i = 0; i < k; i++) starts.push(timeInDay(r, dayStart, s.hours));
      starts.sort((x, y) => x - y);
      for (let i = 0; i < k; i++) sessions.push({ at: starts[i], convs: [] });
      for (let i = 0; i < lens.length; i++) {
        const sess = sessions[Math.floor((i * k) / lens.length)];
        sess.convs.push(s.content(r, sess.at, lens[i]));
      }
    }
    if (s.extra) {
      sessions.push(...s.extra(r, dayStart));
      sessions.sort((x, y) => x.at - y.at);
    }
    for (const sess of sessions) {
      const at = s.gate ? s.gate(r, sess.at) : sess.at;
      if (at === null) continue;
      let t = Math.max(at, busy + r.exp(20 * MINUTE), s.from);
      if (t >= s.until || t >= ctx.end) break;
      const net = s.net(r, t);
      for (const conv of sess.convs) {
        // A stop that begins during a session ends it: no new conversation starts while stopped.
        if (s.gate && t > at && s.gate(r, t) !== t) break;
        const convId = s.convIds ? opaqueId(r, 'conv_') : undefined;
        const model = conv.model ?? pickModel(r, s.modelMix, t, s.adoptAt);
        const client = s.alt && r.chance(0.05) ? s.alt : s.client;
        const keyId = s.keys.length > 1 && r.chance(0.2) ? r.pick(s.keys) : s.keys[0];
        const history: Msg[] = [];
        for (let k = 0; k < conv.turns; k++) {
          const text = k === 0 ? conv.opener.text : ctx.texts.followup(r, conv.opener, k);
          history.push({ role: 'user', text });
          if (t >= ctx.start && t < ctx.end && t < s.until) {
            if (!a.emitted) {
              last = t;
              yield em.account(a, t);
            }
            while (s.updates && upd < s.updates.length && s.updates[upd].ts <= t) {
              const u = s.updates[upd++];
              const ts = Math.max(u.ts, last);
              last = ts;
              yield em.update(a, ts, u.fields);
            }
            const spec: ExSpec = {
              ts: t,
              model,
              client,
              net,
              style: s.style,
              keyId,
              orgId: s.orgId,
              conversationId: convId,
              system: conv.system,
              messages: history.slice(),
              maxTokens: conv.maxTokens,
              temperature: conv.temperature,
              tools: conv.tools,
              endUser: conv.endUser,
              outTokens: r.lognormal(conv.outMedian, 0.8),
            };
            shape(spec, conv, r);
            last = t;
            yield em.exchange(a, spec);
          }
          history[history.length - 1] = { role: 'user', text: cut(text, hist) };
          history.push({ role: 'assistant', text: assistantStub(r) });
          t += Math.max(5000, r.lognormal(75_000, 0.9));
        }
        t += r.exp(6 * MINUTE);
      }
      busy = t;
    }
  }
}
