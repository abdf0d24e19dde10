// The `mixed-world` golden case: a small, hand-reviewed world of API traffic over three days
// (2026-04-01 .. 2026-04-04 UTC), written as the contract's NDJSON input. Deterministic: a fixed
// seed, no clock, no Math.random. `npm run golden:update` rewrites mixed-world/input.ndjson from
// makeMixedWorld() (and expected.json from the engine); the golden test checks they agree.
//
// Every account id starts with its role (`farm-`, `uni-`, `ent-`, `user-`, `eval-`, `lone-`); the
// engine never reads ids, so this only makes the input and the expectations readable. What each
// role is, and why its verdict is right, is in README.md (the review); REVIEW below is the same
// judgement in checkable form: it is enforced by the test and by golden:update, so a wrong verdict
// can never be blessed into expected.json.

import { mulberry32 } from '../../src/core/prng.js';

export type Verdict = 'distillation' | 'suspicious' | 'benign';

export interface RoleReview {
  /** Verdicts that are right for every account of this role. */
  verdicts: Verdict[];
  /** 'one': all accounts of the role form exactly one campaign with no one else; 'none': in no campaign. */
  campaign: 'one' | 'none';
  why: string;
}

export const REVIEW: Record<string, RoleReview> = {
  farm: {
    verdicts: ['distillation'],
    campaign: 'one',
    why: 'nine throwaway accounts of one operator: sign-up burst from one /24, prepaid cards shared three ways, one scaffold and system prompt, broad reasoning harvest at max_tokens, 24/7 work queue',
  },
  uni: {
    verdicts: ['benign'],
    campaign: 'none',
    why: 'a statistics class: shared campus network, lab machines, sign-up week, education plan and SDK, but ordinary homework help and chat',
  },
  ent: {
    verdicts: ['benign'],
    campaign: 'none',
    why: 'a declared, business-verified organization sharing one company card and system prompt for nightly invoice extraction',
  },
  user: {
    verdicts: ['benign'],
    campaign: 'none',
    why: 'ordinary people chatting; two of them share a family card',
  },
  eval: {
    verdicts: ['benign', 'suspicious'],
    campaign: 'none',
    why: 'one long-standing, ID-verified researcher running a public math benchmark once (step by step, n = 5): worth a look at most, never enforcement',
  },
  lone: {
    verdicts: ['suspicious', 'distillation'],
    campaign: 'none',
    why: 'one fresh account harvesting reasoning traces and rubric grades at max_tokens with thinking: clearly worth a review, linked to no one',
  },
};

export function roleOf(accountId: string): string {
  return accountId.slice(0, accountId.indexOf('-'));
}

// ---- deterministic randomness ----


const SEED = 20260401;
let rand = mulberry32(SEED);
let options: WorldOptions = {};
const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
const expGap = (mean: number): number => -Math.log(1 - rand()) * mean;

// ---- time ----

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const START = Date.UTC(2026, 3, 1);
const END = START + 3 * DAY;
const iso = (ms: number): string => new Date(Math.floor(ms / SEC) * SEC).toISOString().replace('.000Z', 'Z');
/** Hour of day at `ms` in a time zone `tz` hours from UTC. */
const localHour = (ms: number, tz: number): number => (((Math.floor(ms / HOUR) + tz) % 24) + 24) % 24;

// ---- records ----

type Json = Record<string, unknown>;
interface Rec {
  ts: number;
  seq: number;
  body: Json;
}
let records: Rec[] = [];
let seq = 0;
const counters = new Map<string, number>();

function emit(ts: number, body: Json): void {
  records.push({ ts: Math.floor(ts / SEC) * SEC, seq: seq++, body });
}

function nextId(account: string): string {
  const n = (counters.get(account) ?? 0) + 1;
  counters.set(account, n);
  return `${account}-${String(n).padStart(4, '0')}`;
}

interface Client {
  ip: string;
  asn: number;
  as_org: string;
  country: string;
  user_agent: string;
  tls_fingerprint?: string;
}

interface AnthropicCall {
  model?: string;
  system?: string;
  messages: { role: 'user' | 'assistant'; content: string }[];
  maxTokens: number;
  thinking?: number;
  tools?: number;
  temperature?: number;
}

const SONNET = 'claude-sonnet-4-5';
const GPT = 'gpt-4.1';
const TOOLS = [
  { name: 'run_shell', description: 'Run a shell command', input_schema: { type: 'object', properties: { cmd: { type: 'string' } } } },
  { name: 'read_file', description: 'Read a file', input_schema: { type: 'object', properties: { path: { type: 'string' } } } },
  { name: 'http_get', description: 'Fetch a URL', input_schema: { type: 'object', properties: { url: { type: 'string' } } } },
];

function anthropic(account: string, ts: number, c: Client, call: AnthropicCall, extra: Json = {}): void {
  const model = call.model ?? SONNET;
  const request: Json = { model, max_tokens: call.maxTokens };
  if (call.system) request.system = call.system;
  request.messages = call.messages;
  if (call.temperature !== undefined) request.temperature = call.temperature;
  if (call.thinking) request.thinking = { type: 'enabled', budget_tokens: call.thinking };
  if (call.tools) request.tools = TOOLS.slice(0, call.tools);
  const inTok = Math.ceil(call.messages.reduce((n, m) => n + m.content.length, call.system?.length ?? 0) / 4);
  emit(ts, {
    type: 'exchange',
    id: nextId(account),
    ts: iso(ts),
    account_id: account,
    ...extra,
    model,
    request,
    response: { usage: { input_tokens: inTok, output_tokens: int(80, Math.min(call.maxTokens, 1800)) }, stop_reason: 'end_turn' },
    client: c,
  });
}

interface OpenAICall {
  system?: string;
  messages: { role: 'user' | 'assistant'; content: string }[];
  maxTokens: number;
  n?: number;
  temperature?: number;
}

function openai(account: string, ts: number, c: Client, call: OpenAICall, extra: Json = {}): void {
  const messages = call.system ? [{ role: 'system', content: call.system }, ...call.messages] : call.messages;
  const request: Json = { model: GPT, messages, max_completion_tokens: call.maxTokens };
  if (call.n) request.n = call.n;
  if (call.temperature !== undefined) request.temperature = call.temperature;
  const n = call.n ?? 1;
  const inTok = Math.ceil(messages.reduce((k, m) => k + m.content.length, 0) / 4);
  emit(ts, {
    type: 'exchange',
    id: nextId(account),
    ts: iso(ts),
    account_id: account,
    ...extra,
    model: GPT,
    request,
    response: {
      usage: { prompt_tokens: inTok, completion_tokens: n * int(60, Math.min(call.maxTokens, 900)) },
      choices: Array.from({ length: n }, (_, index) => ({ index, finish_reason: 'stop' })),
    },
    client: c,
  });
}

function account(ts: number, id: string, profile: Json): void {
  emit(ts, { type: 'account', account_id: id, ts: iso(ts), ...profile });
}

// ---- clients and networks ----

const UA = {
  pyAnthropic: 'anthropic-python/0.40.0',
  pyOpenAI: 'OpenAI/Python 1.54.3',
  httpx: 'python-httpx/0.27.2',
  chromeMac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/134.0.0.0 Safari/537.36',
  chromeWin: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/134.0.0.0 Safari/537.36',
  firefox: 'Mozilla/5.0 (X11; Linux x86_64; rv:136.0) Gecko/20100101 Firefox/136.0',
  safari: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.3 Mobile/15E148 Safari/604.1',
  nodeSdk: 'anthropic-typescript/0.36.3',
};
const JA3 = {
  python: '771,4866-4867-4865-49196-49200,0-11-10-35-22-23-13-43-45-51,29-23-30-25-24,0-1-2',
  chrome: 't13d1516h2_8daaf6152771_b186095e22b6',
  firefox: 't13d1715h2_5b57614c22b0_3d5424432f57',
  safari: 't13d2014h2_a09f3c656075_14788d8d241b',
  node: '771,4865-4866-4867-49195-49199,0-23-65281-10-11-35-16-5-13-18-51-45-43-27-21,29-23-24,0',
};

/** Residential ISPs the farm's proxy exits rotate through (the same ones ordinary users are on). */
const ISPS = [
  { prefix: '73.92', asn: 7922, org: 'Comcast Cable', country: 'US' },
  { prefix: '99.108', asn: 7018, org: 'AT&T Services', country: 'US' },
  { prefix: '86.131', asn: 5089, org: 'Virgin Media', country: 'GB' },
  { prefix: '91.64', asn: 3320, org: 'Deutsche Telekom', country: 'DE' },
  { prefix: '24.48', asn: 11427, org: 'Charter Communications', country: 'US' },
  { prefix: '112.134', asn: 4134, org: 'China Telecom', country: 'CN' },
  { prefix: '126.209', asn: 17676, org: 'SoftBank', country: 'JP' },
];
const ispIp = (isp: (typeof ISPS)[number]): string => `${isp.prefix}.${int(1, 254)}.${int(1, 254)}`;

// ---- the farm: one operator, nine throwaway accounts, one work queue ----

const FARM_SYSTEM = 'You are a world-class expert assistant. Always reason thoroughly and completely.';
const SCAFFOLDS = [
  (p: string) =>
    `Solve the following problem with rigorous reasoning. Think step by step and show your complete chain of thought before giving the final answer.\n\nProblem: ${p}\n\nExplain each step of your reasoning in detail, then state the final answer on the last line.`,
  (p: string) =>
    `You are being evaluated on expert-level problem solving. Task: ${p}\nWalk through your reasoning step by step, justify every intermediate step, and end with "Final answer:".`,
  (p: string) => `${p}\n\nBefore answering, think carefully and write out your full thought process step by step. Then give a concise final answer.`,
];
const LANGS = ['Python', 'TypeScript', 'Rust', 'Go', 'Java', 'C++'];
const PAYLOADS: ((i: number) => { text: string; tools?: number })[] = [
  (i) => ({ text: `A tank holds ${200 + i * 7} liters. It drains at ${3 + (i % 5)} liters per minute while being filled at ${1 + (i % 3)} liters per minute. After how many minutes is it empty?` }),
  (i) => ({ text: `Solve for x: ${i % 9 + 2}x^2 - ${i % 13 + 5}x + ${i % 7 + 1} = 0, and verify both roots.` }),
  (i) => ({ text: `Prove that the sum of the first ${i + 10} odd numbers is a perfect square, then compute it.` }),
  (i) => ({ text: `Write a ${pick(LANGS)} function that merges ${i % 6 + 2} sorted linked lists in O(n log k) time, with unit tests.` }),
  (i) => ({ text: `Implement an LRU cache with capacity ${i % 50 + 10} in ${pick(LANGS)} and analyse the time complexity of every operation.` }),
  (i) => ({ text: `Find and fix the bug in this ${pick(LANGS)} binary search that loops forever when the array has ${i % 4 + 2} equal elements, then explain the invariant.` }),
  (i) => ({ text: `You are an autonomous agent with shell and HTTP tools. Deploy service number ${i} to the staging cluster, check its health endpoint and roll back on failure. Call the tools you need.`, tools: 3 }),
  (i) => ({ text: `Using the available tools, find every file under /srv/app-${i} that references a deprecated API, patch it and run the test suite.`, tools: 3 }),
  (i) => ({ text: `Create a detailed project plan with milestones, owners and risks to launch product ${i} in ${i % 5 + 3} months, decomposing every phase into tasks.` }),
  (i) => ({ text: `Draft a step-by-step migration strategy for moving ${i % 40 + 10} microservices from a monolith database to per-service databases without downtime.` }),
  (i) => ({ text: `Five people (${['Ada', 'Ben', 'Cy', 'Dee', 'Eve'].join(', ')}) sit in a row. Puzzle ${i}: Ada is not next to Ben, Cy sits at an end, and Dee is left of Eve. How many seatings are possible?` }),
  (i) => ({ text: `If all blickets are daxes and ${i % 2 ? 'some' : 'no'} daxes are wugs, what can be concluded about blickets and wugs? Case ${i}.` }),
];

function farm(): void {
  const cards = ['pf_prepaid_7Q2K', 'pf_prepaid_M41X', 'pf_prepaid_ZC90'];
  const names = ['quietriver', 'amberfalcon', 'coldharbor', 'silverpine', 'northgale', 'ironmeadow', 'duskhollow', 'brightcove', 'stonewhistle'];
  const ids: string[] = [];
  for (let a = 0; a < 9; a++) {
    const id = `farm-0${a + 1}`;
    ids.push(id);
    const created = START + 2 * HOUR + a * 6 * MIN + int(0, 120) * SEC;
    account(created, id, {
      created_at: iso(created),
      email: `${names[a]}${int(1000, 9999)}@proton.me`,
      email_domain: 'proton.me',
      payment_fingerprint: cards[a % 3],
      payment_bin: '535522',
      country: 'US',
      verification: a % 4 === 0 ? 'email' : 'none',
      plan: (['startup', 'free', 'education'] as const)[a % 3],
      signup_ip: `45.86.200.${int(10, 250)}`,
      signup_user_agent: UA.chromeWin,
    });
  }
  // One work queue dealt to the least recently used account, around the clock.
  const lastUsed = new Map(ids.map((id) => [id, 0]));
  let t = START + 3 * HOUR;
  let i = 0;
  while (true) {
    t += expGap(6 * MIN);
    if (t >= END) break;
    const id = [...lastUsed.entries()].sort((x, y) => x[1] - y[1] || (x[0] < y[0] ? -1 : 1))[int(0, 2)][0];
    lastUsed.set(id, t);
    const p = PAYLOADS[i % PAYLOADS.length](i);
    const isp = pick(ISPS);
    anthropic(
      id,
      t,
      { ip: ispIp(isp), asn: isp.asn, as_org: isp.org, country: isp.country, user_agent: UA.httpx, tls_fingerprint: JA3.python },
      { system: FARM_SYSTEM, messages: [{ role: 'user', content: SCAFFOLDS[i % 3](p.text) }], maxTokens: 64000, tools: p.tools, temperature: 1 },
      { key_id: `key-${id}` },
    );
    i++;
  }
}

// ---- a university class: STAT 101, twelve students ----

const STUDENTS = ['maria.gonzalez', 'kevin.oneill', 'priya.raman', 'tom.becker', 'aisha.bello', 'lucas.moreau', 'hannah.kim', 'diego.santos', 'emma.walsh', 'noah.fischer', 'sofia.rossi', 'jamal.carter'];
const HOMEWORK = [
  (k: number) => `STAT 101 homework 3, question ${k}: a sample of ${20 + k * 3} students has mean ${60 + k} and standard deviation ${8 + (k % 4)}. What is the 95% confidence interval for the mean?`,
  (k: number) => `hw3 q${k}: if P(A) = 0.${k + 2} and P(B) = 0.${9 - (k % 5)} and they are independent, what is P(A and B) and P(A or B)?`,
  (k: number) => `for question ${k} of the homework we need to test whether a coin that landed heads ${55 + k} times out of 100 is fair, at the 5% level`,
  // Used by the step-by-step class only (see WorldOptions).
  (k: number) => `lab ${k}: write a python function that computes the median of a list without using numpy, my version fails on even lengths`,
  (k: number) => `project part ${k}: plan the steps of our analysis of the bike-share dataset, what should we do first`,
];
const STUDENT_CHAT = [
  'what does a p-value actually mean in plain english',
  'help me write an email to professor Grant asking for a two day extension on the homework',
  'how do I make a histogram in R with ggplot',
  'whats the difference between standard deviation and standard error',
  'can you quiz me on the central limit theorem',
  'good cheap dinner ideas for a college student with only a microwave',
  'summarize the main causes of the french revolution in a few bullet points',
  'how should I structure a 5 page essay on climate policy',
  'explain correlation vs causation with an example',
  'make me a study schedule for three exams next week',
];

function university(): void {
  const campus = { asn: 3, as_org: 'State University Network', country: 'US' };
  const nat = ['128.210.14.21', '128.210.14.22', '128.210.14.23'];
  STUDENTS.forEach((name, s) => {
    const id = `uni-${String(s + 1).padStart(2, '0')}`;
    // Eight sign up together in the first lab session (2026-03-30 14:00 UTC), four later that week.
    const created = Date.UTC(2026, 2, 30, 14) + (s < 8 ? s * 7 * MIN : (s - 7) * 9 * HOUR + int(0, 50) * MIN);
    const first = START + int(13, 20) * HOUR + int(0, 59) * MIN;
    const profile: Json = {
      created_at: iso(created),
      email: `${name}@students.stateu.edu`,
      email_domain: 'students.stateu.edu',
      country: 'US',
      verification: 'email',
      plan: 'education',
      signup_ip: `128.210.14.${21 + (s % 3)}`,
      signup_user_agent: UA.chromeMac,
    };
    if (s % 3 === 0) profile.links = { device_id: 'lab-pc-stat-02' };
    account(first - int(1, 30) * SEC, id, profile);
    const home = pick(ISPS.slice(0, 2));
    const homeIp = ispIp(home);
    // Sessions: afternoons and evenings in US Eastern time (UTC-4), denser before the deadline
    // (2026-04-02 23:59 local = 04-03 03:59 UTC).
    let t = first;
    let hw = 1 + (s % 3);
    while (t < END) {
      const onCampus = localHour(t, -4) < 17;
      const c: Client = onCampus
        ? { ip: pick(nat), ...campus, user_agent: UA.pyAnthropic, tls_fingerprint: JA3.python }
        : { ip: homeIp, asn: home.asn, as_org: home.org, country: 'US', user_agent: UA.pyAnthropic, tls_fingerprint: JA3.python };
      const turns = int(1, 3);
      const convo: { role: 'user' | 'assistant'; content: string }[] = [];
      const homework = rand() < (options.stepwiseClass ? 0.7 : 0.45);
      for (let k = 0; k < turns; k++) {
        let q: string;
        if (homework) {
          q = k === 0 ? HOMEWORK[hw % (options.stepwiseClass ? 5 : 3)](hw) : pick(['ok but why do we divide by n-1 there', 'can you check my answer, I got 0.42', 'thanks, what about part b']);
          if (k === 0 && rand() < (options.stepwiseClass ? 0.8 : 0.5)) q += ' Can you explain how to do this step by step?';
        } else {
          q = k === 0 ? pick(STUDENT_CHAT) : pick(['thanks! can you make it shorter', 'can you give another example', 'ok that makes sense']);
        }
        convo.push({ role: 'user', content: q });
        anthropic(id, t, c, { system: 'You are a patient tutor for an introductory statistics course.', messages: convo.slice(), maxTokens: 1024 }, { conversation_id: `${id}-c${Math.floor(t / HOUR)}` });
        convo.push({ role: 'assistant', content: 'Sure. Here is how to think about it...' });
        t += int(1, 6) * MIN;
      }
      if (homework) hw++;
      const beforeDeadline = t > Date.UTC(2026, 3, 2, 12) && t < Date.UTC(2026, 3, 3, 4);
      t += beforeDeadline ? expGap(2 * HOUR) : expGap(9 * HOUR);
      // Students sleep (01:00-09:00 local).
      while (localHour(t, -4) < 9 && localHour(t, -4) >= 1) t += HOUR;
    }
  });
}

// ---- an enterprise: a declared org running a nightly extraction batch ----

const VENDORS = ['Acme Freight', 'Baltic Shipping AG', 'Cargo Lane Ltd', 'Delta Pallets', 'Elbe Trucking', 'Fjord Containers'];
const ENT_SYSTEM = "You are Northwind's document extraction service. Reply with JSON only: {vendor, invoice_number, date, currency, total}.";

function invoice(n: number): string {
  const items = Array.from({ length: int(1, 4) }, () => `- ${pick(['Pallet transport', 'Container handling', 'Customs clearance', 'Storage (30 days)', 'Fuel surcharge'])}: ${int(40, 2400)}.${int(10, 99)} EUR`);
  return `Extract the fields from this invoice.\n\n---\nINVOICE ${n}\nVendor: ${pick(VENDORS)}\nDate: 2026-03-${String(int(1, 31)).padStart(2, '0')}\nBill to: Northwind Logistics GmbH, Hamburg\n${items.join('\n')}\nTotal due: ${int(100, 9000)}.${int(10, 99)} EUR\n---`;
}

function enterprise(): void {
  const gw = ['3.120.44.17', '3.120.44.18'];
  let n = 880000;
  for (let a = 0; a < 4; a++) {
    const id = `ent-0${a + 1}`;
    account(START + 20 * MIN + a * MIN, id, {
      created_at: '2025-06-02T09:30:00Z',
      email: `api-batch-${a + 1}@northwind.example`,
      email_domain: 'northwind.example',
      payment_fingerprint: 'pf_corp_northwind_amex',
      payment_bin: '377935',
      country: 'DE',
      org_id: 'org_northwind',
      verification: 'business',
      plan: 'enterprise',
    });
  }
  for (let night = 0; night < 3; night++) {
    for (let a = 0; a < 4; a++) {
      const id = `ent-0${a + 1}`;
      let t = START + night * DAY + HOUR + a * 12 * MIN;
      for (let k = 0; k < 40; k++) {
        t += int(8, 14) * SEC;
        openai(id, t, { ip: pick(gw), asn: 16509, as_org: 'Amazon.com', country: 'DE', user_agent: UA.pyOpenAI }, { system: ENT_SYSTEM, messages: [{ role: 'user', content: invoice(n++) }], maxTokens: 512, temperature: 0 }, { org_id: 'org_northwind', key_id: 'key-northwind-batch' });
      }
    }
  }
}

// ---- ordinary users ----

const CHAT = [
  'hey can you help me write a birthday message for my sister, she is turning 30',
  'what are some good vegetarian recipes for dinner tonight with chickpeas',
  'translate into spanish: where is the nearest train station',
  'my react component re-renders too often, what could cause that',
  'summarize the plot of pride and prejudice in a paragraph',
  'how do I politely decline a meeting invitation from my manager',
  'give me ideas for a weekend trip near the mountains in october',
  'what is the difference between a roth ira and a traditional ira',
  'rewrite this paragraph so it sounds more professional: we cant make the deadline because of stuff',
  'why does my sourdough come out so dense',
  'what should I look for when buying a used car',
  'explain how vaccines train the immune system, simply',
  'write a short poem about rain on a tin roof',
  'is it better to run in the morning or evening',
  'how do I set up a python virtual environment on windows',
  'what are good questions to ask at the end of a job interview',
  'plan a 3 day itinerary for lisbon on a budget',
  'how much water should a 10 kg dog drink per day',
  'give me a sql query that finds duplicate emails in a users table',
  'what is a good name for a bakery that sells mostly bread',
];
const FOLLOW = ['thanks! can you make it shorter?', 'can you give me two more options', 'what about for a family of four?', 'nice, and in a more casual tone?', 'ok, why is that?'];

interface Person {
  id: string;
  tz: number;
  country: string;
  ua: string;
  tls: string;
  created: string;
  email: string;
  verification: 'email' | 'phone';
  plan: 'free' | 'paid';
  card?: string;
  perDay: number;
}

const PEOPLE: Person[] = [
  { id: 'user-01', tz: -4, country: 'US', ua: UA.chromeMac, tls: JA3.chrome, created: '2025-02-11T18:02:44Z', email: 'jenna.morales87@gmail.com', verification: 'phone', plan: 'paid', card: 'pf_visa_0142', perDay: 4 },
  { id: 'user-02', tz: 1, country: 'GB', ua: UA.safari, tls: JA3.safari, created: '2024-11-30T09:15:02Z', email: 'oliver_k@outlook.com', verification: 'email', plan: 'free', perDay: 2 },
  { id: 'user-03', tz: -7, country: 'US', ua: UA.chromeWin, tls: JA3.chrome, created: '2025-08-19T03:40:10Z', email: 'dlee.home@yahoo.com', verification: 'phone', plan: 'paid', card: 'pf_family_lee_mc', perDay: 3 },
  { id: 'user-04', tz: -7, country: 'US', ua: UA.safari, tls: JA3.safari, created: '2025-09-02T01:12:55Z', email: 'grace.lee.2009@gmail.com', verification: 'phone', plan: 'paid', card: 'pf_family_lee_mc', perDay: 2 },
  { id: 'user-05', tz: 2, country: 'DE', ua: UA.firefox, tls: JA3.firefox, created: '2025-05-05T12:00:31Z', email: 'm.schulz@web.de', verification: 'email', plan: 'free', perDay: 3 },
  { id: 'user-06', tz: 9, country: 'JP', ua: UA.chromeMac, tls: JA3.chrome, created: '2025-01-21T23:45:00Z', email: 'haruto.sato@icloud.com', verification: 'phone', plan: 'paid', card: 'pf_jcb_5521', perDay: 3 },
  { id: 'user-07', tz: -4, country: 'US', ua: UA.nodeSdk, tls: JA3.node, created: '2024-07-14T16:20:09Z', email: 'sam@samcodes.dev', verification: 'phone', plan: 'paid', card: 'pf_amex_8810', perDay: 6 },
  { id: 'user-08', tz: 0, country: 'GB', ua: UA.chromeWin, tls: JA3.chrome, created: '2025-10-09T07:55:41Z', email: 'fatima.hussain@btinternet.com', verification: 'email', plan: 'free', perDay: 2 },
  { id: 'user-09', tz: 8, country: 'CN', ua: UA.chromeWin, tls: JA3.chrome, created: '2025-03-27T02:30:00Z', email: 'wei.zhang.sh@163.com', verification: 'phone', plan: 'paid', card: 'pf_up_6203', perDay: 3 },
  { id: 'user-10', tz: -4, country: 'US', ua: UA.safari, tls: JA3.safari, created: '2023-12-01T20:10:10Z', email: 'retired.teacher.bob@aol.com', verification: 'email', plan: 'free', perDay: 1 },
];

function people(): void {
  for (const p of PEOPLE) {
    const isp = pick(ISPS.filter((i) => i.country === p.country));
    const ip = ispIp(isp);
    const profile: Json = { created_at: p.created, email: p.email, country: p.country, verification: p.verification, plan: p.plan };
    if (p.card) profile.payment_fingerprint = p.card;
    let t = START + int(0, 12) * HOUR + int(0, 59) * MIN;
    if (p.id === 'user-07') t = START + 10 * MIN; // a developer, online early: the first to use each model
    account(t - int(5, 50) * SEC, p.id, profile);
    let c = 0;
    while (t < END) {
      const h = localHour(t, p.tz);
      if (h >= 8 && h < 23) {
        const convo: { role: 'user' | 'assistant'; content: string }[] = [];
        const turns = int(1, 4);
        const first = pick(CHAT);
        for (let k = 0; k < turns && t < END; k++) {
          convo.push({ role: 'user', content: k === 0 ? first : pick(FOLLOW) });
          const client: Client = { ip, asn: isp.asn, as_org: isp.org, country: p.country, user_agent: p.ua, tls_fingerprint: p.tls };
          if (p.id === 'user-07' && c % 2 === 0) {
            // A developer testing both APIs with the models' full output budgets now and then.
            if (c % 4 === 0) openai(p.id, t, client, { messages: convo.slice(), maxTokens: c < 4 ? 32768 : 4096 });
            else anthropic(p.id, t, client, { messages: convo.slice(), maxTokens: c < 4 ? 64000 : 4096 });
          } else {
            anthropic(p.id, t, client, { system: 'You are a helpful assistant.', messages: convo.slice(), maxTokens: pick([1024, 2048, 4096]) });
          }
          c++;
          convo.push({ role: 'assistant', content: 'Here you go.' });
          t += int(1, 8) * MIN;
        }
        t += expGap((15 * HOUR) / p.perDay);
      } else {
        t += HOUR;
      }
    }
  }
}

// ---- a lone benchmark evaluator ----

const NAMES = ['Natalia', 'Weng', 'Betty', 'James', 'Albert', 'Julie', 'Mark', 'Tobias', 'Randy', 'Joy'];

function gsm(i: number): string {
  const name = NAMES[i % NAMES.length];
  const a = 3 + (i % 17);
  const b = 2 + ((i * 7) % 11);
  const c = 10 + ((i * 13) % 40);
  const forms = [
    `${name} sold clips to ${c} of her friends in April, and then she sold ${b} times fewer clips in May. How many clips did ${name} sell altogether in April and May?`,
    `${name} earns $${a + 9} an hour for babysitting. Yesterday, ${name} did ${c} minutes of babysitting. How much did ${name} earn?`,
    `${name} is saving money for a new wallet which costs $${c * 5}. ${name} has only ${b} quarters of the money. How much more money does ${name} need?`,
    `A robe takes ${a} bolts of blue fiber and half that much white fiber. How many bolts in total does it take to make ${b} robes?`,
    `${name} buys ${c} eggs and uses ${a} every morning for breakfast. How many eggs are left after ${b} days?`,
  ];
  return `Q: ${forms[i % forms.length]} (item ${i + 1})\nA: Let's think step by step.`;
}

function evaluator(): void {
  const id = 'eval-01';
  const c: Client = { ip: '141.212.120.33', asn: 36375, as_org: 'University of Michigan', country: 'US', user_agent: UA.pyOpenAI };
  account(START + 15 * HOUR, id, {
    created_at: '2024-02-11T16:22:05Z',
    email: 'n.okafor@umich.example.edu',
    country: 'US',
    verification: 'id',
    plan: 'research',
    payment_fingerprint: 'pf_visa_lab_3391',
  });
  let t = START + 15 * HOUR + 2 * MIN;
  for (const q of ['what is the current best practice for reporting pass@k on math benchmarks', 'write a python script that reads a jsonl file and prints the mean of a field']) {
    openai(id, t, c, { messages: [{ role: 'user', content: q }], maxTokens: 2048 });
    t += int(5, 20) * MIN;
  }
  // One sweep of 240 items, each once, in about two and a half hours on April 2.
  t = Date.UTC(2026, 3, 2, 14);
  for (let i = 0; i < 240; i++) {
    t += int(20, 55) * SEC;
    openai(id, t, c, { messages: [{ role: 'user', content: gsm(i) }], maxTokens: 1024, n: 5, temperature: 0.7 });
  }
}

// ---- a lone trace harvester ----

function lone(): void {
  const id = 'lone-01';
  const created = Date.UTC(2026, 3, 2, 8, 41, 17);
  account(created, id, {
    created_at: iso(created),
    email: 'dataops.trace.7@tutanota.com',
    country: 'SG',
    verification: 'email',
    plan: 'free',
    payment_fingerprint: 'pf_prepaid_LX08',
    payment_bin: '428837',
    signup_ip: '103.252.118.40',
  });
  const c: Client = { ip: '103.252.118.40', asn: 63949, as_org: 'Akamai Connected Cloud', country: 'SG', user_agent: UA.httpx, tls_fingerprint: JA3.python };
  let t = created + 20 * MIN;
  for (let i = 0; i < 130; i++) {
    t += int(2, 7) * MIN;
    const q = gsm(i + 500).replace("\nA: Let's think step by step.", '');
    const prompt =
      i % 3 === 2
        ? `Here is a question and a model's response.\nQuestion: ${q}\nResponse: The answer is ${int(10, 400)}.\nGrade the response against the rubric on a scale from 1 to 10 and justify the score.`
        : `Here is a question and its final answer.\nQuestion: ${q}\nFinal answer: ${int(10, 400)}\nReconstruct the step-by-step reasoning that led to this answer, articulating every intermediate step.`;
    anthropic(id, t, c, { messages: [{ role: 'user', content: prompt }], maxTokens: 64000, thinking: 16000 });
  }
}

export interface WorldOptions {
  /**
   * A harder class (not the committed input): 70% of sessions are homework (statistics, a coding
   * lab, project planning) and 80% of homework questions ask for a step-by-step explanation. Still
   * a class doing its homework: benign. Used by the known-false-positive test in golden.test.ts.
   */
  stepwiseClass?: boolean;
}

/** The whole input, one NDJSON line per record, in time order. */
export function makeMixedWorld(opts: WorldOptions = {}): string {
  options = opts;
  rand = mulberry32(SEED);
  records = [];
  seq = 0;
  counters.clear();
  people();
  enterprise();
  farm();
  university();
  evaluator();
  lone();
  records.sort((a, b) => a.ts - b.ts || a.seq - b.seq);
  return records.map((r) => JSON.stringify(r.body)).join('\n') + '\n';
}
