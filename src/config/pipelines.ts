// The numbers of linking clean accounts through the pipeline they share (src/link/shared-pipelines.ts):
// shared tradecraft text, one work queue, one client configuration. Each kind of evidence has a switch
// (`enabled`) so that its effect can be measured by removing it (bench/results/ablation-i13b-hidden250-*, ablation-i13c-*).
import { z } from 'zod';
import { HOUR } from '../core/time.js';

const share = z.number().min(0).max(1);
const count = z.number().int().min(1);
const weight = z.number().min(0);

export const PipelineSchema = z.object({
  /** Shared tradecraft text: the evidence that forms candidate groups at all (off: no clean-account linking). */
  tradecraft: z.boolean().default(true),
  /** One work queue over one payload set (src/link/item-spread.ts). */
  queue: z.boolean().default(true),
  /** One client configuration, rare outside the group (src/link/client-config.ts). */
  config: z.boolean().default(true),
  /** Shared pipeline timing: members silent together while their regions are not (src/link/co-silence.ts). */
  timing: z.boolean().default(true),
  /** Kinds of evidence that must agree, tradecraft included (the issue: at least two). */
  minKinds: z.number().int().min(2).default(2),
  /** A phrase is tradecraft when at least this many accounts use it... */
  phraseMinAccounts: count.default(5),
  /** ...at most this share of active accounts do (more: common language, a popular library)... */
  phraseMaxAccountShare: share.default(0.1),
  /** A phrase is read as possible tradecraft (accounts carry it, groups form on it) up to this share of active accounts; a group is then judged on the share outside it. */
  phraseMarkShare: share.default(0.25),
  /** A group's phrase is its tradecraft only when at least this share of the accounts using it are in the group (one author's text, not a phrase many authors write). */
  phraseOwnedShare: share.default(0.3),
  /** ...and those who use it do so on this many prompts each, on average (inserted systematically). 4, not 8: a pipeline's phrase is learned in its first days (hidden-1000 first flagged at 100 h instead of 189 h, bench/results/i13c-summary.md), and a library's snippet pasted now and then still averages fewer. */
  phraseMinUses: z.number().positive().default(4),
  /**
   * Tradecraft counted backwards (src/link/retro-tradecraft.ts): exchanges that carried a phrase before it qualified count once it has.
   * Off: at scale 1 it brings hidden-250's first flag from 99.7 h to 64.7 h, but in hidden-1000 MOOC students and a library's users
   * credited through phrases their snippets share with the operator's joined its groups and were flagged with them (bench/results/i13f-summary.md).
   */
  retro: z.boolean().default(false),
  /** ...a phrase is pending (its exchanges remembered) from this many prompts per using account on average: more than once, so not one-off text. */
  retroUses: z.number().positive().default(2.5),
  /** With retro, a member of a linked group credited only backwards (short of the marked share as its exchanges arrived) is linked only when at least this share of its exchanges carried the group's phrase itself (a queue links a group whole). */
  ownShare: share.default(0.1),
  /**
   * Phrase families (src/link/phrase-families.ts): phrases that accounts carry together are one kit, so an account whose
   * pending phrases (`retroUses`) belong to a family of at least `familyMinPhrases` counts them as tradecraft, and its candidate
   * group is its family's (one operator's accounts gather instead of scattering over the groups of its many phrases).
   */
  families: z.boolean().default(false),
  /** Two phrases are one family when at least `minMembers` accounts, and this share of the accounts carrying either (Jaccard), carry both. */
  familyCoShare: share.default(0.15),
  /** A family is a kit from this many phrases (one phrase alone is what a library's user or a class may share). */
  familyMinPhrases: count.default(3),
  /** Phrases the family table holds (fixed memory: 16 bytes each). */
  familyCapacity: count.default(8192),
  /**
   * A query distribution unlike the background (src/link/query-distribution.ts): a two-sample MMD of the group's members' item
   * phrases against a fixed sample of the population, its threshold from benign-against-benign splits of that sample at
   * `distributionAlpha`. Counts as a kind of evidence when on.
   */
  distribution: z.boolean().default(false),
  distributionAlpha: z.number().positive().max(0.5).default(0.01),
  /** Splits drawn per calibration (at least 1 / alpha). */
  distributionSplits: count.default(200),
  /** Signed hash buckets of the features (a power of two): 4 bytes each per tracked account. */
  distributionDim: z.number().int().min(8).max(1024).refine((x) => (x & (x - 1)) === 0, 'a power of two').default(64),
  /** An account's profile is the mean of its first this many openers (the same for members and background: equal noise). */
  distributionExchanges: count.default(8),
  /** Accounts in the background sample (one in 2^bits, chosen by index, up to this many). */
  distributionSample: count.default(512),
  distributionSampleBits: z.number().int().min(0).max(10).default(3),
  /** One phrase in 2^bits is read (chosen by hash, the same everywhere): a pipeline's text recurs in every prompt, so a sample of its phrases still shows it, at a fraction of the cost. */
  phraseSampleBits: z.number().int().min(0).max(8).default(3),
  /** Exchanges an account needs before it may join a candidate group. */
  minExchanges: count.default(10),
  /** Share of its exchanges that must carry a tradecraft phrase. */
  markedShare: share.default(0.2),
  /** Members a candidate group needs before it is judged. */
  minMembers: count.default(5),
  /** Candidate groups kept at once (fixed memory: each holds an item-spread sketch). */
  maxCandidates: count.default(48),
  /** Event time between two evaluations of a candidate group. */
  reevaluateMs: z.number().int().positive().default(HOUR),
  /** Work queue: exchanges before the spread is judged, accounts per item from which items cross accounts, from which it is a class, most repeat share. */
  queueMinExchanges: count.default(400),
  /** Openers the spread is judged on at most (its sketch is fixed-size: more would saturate it). */
  queueMaxExchanges: count.default(20000),
  queueMin: z.number().positive().default(1.05),
  classMin: z.number().positive().default(3),
  /** A spread of ≥ classMin accounts per item is a class only when fewer than this share of openers bring an item no other account sent before (a queue covers new items; a class repeats its problems). */
  classFreshMax: share.default(0.5),
  queueMaxRepeat: share.default(0.3),
  /**
   * Work queue judged on the openers a group has (src/link/queue-test.ts): its openers' items cross its accounts more than
   * random groups of background accounts of the same shape show, at `queueTestAlpha` over all its looks, with few repeats and
   * not a class. Replaces the fixed `queueMinExchanges` when on.
   */
  queueTest: z.boolean().default(false),
  queueTestAlpha: z.number().positive().max(0.5).default(0.01),
  /**
   * Looks per group at most, each at alpha / looks: at minOpeners, then when its openers double or, with new openers,
   * queueTestLookHours of event time after the latest look (a pipeline's copies of an item may be days apart).
   */
  queueTestLooks: count.default(32),
  queueTestLookHours: z.number().min(0).default(24),
  /** Background groups drawn per look (at least looks / alpha); draws stop once the level is out of reach. */
  queueTestDraws: count.default(3200),
  /**
   * Members tested while its background sample has this many accounts per member with as many openers (0: up to half the
   * sample): each random group is drawn from a pool several times its size, so the null varies as chance does.
   */
  queueTestPool: z.number().min(0).default(0),
  /**
   * The openers kept per account: the lowest-ranked items (coordinated across accounts: a queue's second copies survive
   * whatever the accounts' history) instead of a uniform sample (src/link/queue-test.ts OpenerItems). Off: unrelated heavy
   * accounts drawing from a large pool cross more than lighter background accounts, and the background has too few accounts
   * of their traffic to match them (bench/results/i13m-summary.md).
   */
  queueTestCoordinated: z.boolean().default(false),
  /** Match each member with background accounts of about its traffic (the pool x members nearest in openers sent); off: any with as many openers kept. */
  queueTestMatchSent: z.boolean().default(false),
  /**
   * A member of a group called a queue is linked on that verdict only when its own kept openers cross other members' beyond
   * chance at this level (and the items it crosses on are dealt to fewer than classMin members): src/link/queue-test.ts dealtMembers.
   */
  queueTestMemberAlpha: z.number().positive().max(0.5).default(0.05),
  /** Openers of the group's members from which it is first tested. */
  queueTestMinOpeners: count.default(16),
  /** Openers kept per account (members and background), a uniform sample of all it sent: `bands` item keys of 4 bytes each. */
  queueTestOpeners: count.default(8),
  /**
   * Its items leave out the phrases accounts write this many times each on average (0: none left out): how they ask (a snippet
   * pasted again and again, a course's or a template's text), not what they ask; an account rarely asks one item twice.
   */
  queueTestItemUses: z.number().min(0).default(2),
  /** Accounts in its background sample (one in 2^bits, chosen by index, up to this many). */
  queueTestSample: count.default(512),
  queueTestSampleBits: z.number().int().min(0).max(10).default(3),
  /** Client configuration: share of members whose dominant configuration is the group's... */
  configShare: share.default(0.5),
  /** ...and share of all accounts using that configuration that are in the group (rare outside it). */
  configConcentration: share.default(0.5),
  /** Share of its exchanges an account's configuration needs to be its dominant one. */
  configDominance: share.default(0.5),
  /** Share of members of one declared organization from which a group is an organization, not a hidden operator. */
  declaredShare: share.default(0.5),
  /** Two candidate groups are one pipeline when this share of the smaller one's members carry the other's phrase. */
  crossShare: share.default(0.3),
  /** Co-silence: silences longer than this (hours) are not read (a weekly rhythm or a holiday, not a pipeline's stop)... */
  silenceMaxHours: count.default(24),
  /** ...and one counts when independent people would show one as strong anywhere in the group's history with at most this chance. */
  silenceAlpha: z.number().positive().max(1).default(1e-4),
  /** ...and timing agrees after this many such silences (a pipeline stops again and again; a chance alignment of people rarely twice). */
  silenceMinCount: count.default(2),
  /** Content score a member of a group confirmed as one work queue counts as (a queue deals payloads to harvest). */
  queueHarvest: share.default(0.6),
  /** Campaign evidence of each kind (reason weights). */
  tradecraftWeight: weight.default(1.2),
  queueWeight: weight.default(1.2),
  configWeight: weight.default(0.8),
  timingWeight: weight.default(0.8),
});

export type PipelineParams = z.infer<typeof PipelineSchema>;
