// Every engine option, validated once up front (config → build → runtime): nothing re-validates per event.
import { z } from 'zod';
import { HOUR, MINUTE } from '../core/time.js';
import { CommunityKeysSchema } from './intel.js';
import { ScoringSchema } from './scoring.js';
import { DEFAULT_NUM_PERM } from '../sketches/minhash.js';
import { DEFAULT_SHINGLE_K } from '../sketches/shingle.js';

export const ThresholdsSchema = z
  .object({
    /** Score at or above which an account is `distillation` (enforcement-ready). */
    distillation: z.number().min(0).max(1).default(0.8),
    /** Score at or above which an account is `suspicious` (worth a review). */
    suspicious: z.number().min(0).max(1).default(0.5),
  })
  .refine((t) => t.suspicious <= t.distillation, { message: 'thresholds.suspicious must not exceed thresholds.distillation' });

export const TemplateSchema = z.object({
  /** MinHash permutations per scaffold signature. */
  numPerm: z.number().int().min(16).max(256).default(DEFAULT_NUM_PERM),
  /** Jaccard similarity above which two scaffolds are one template (LSH bands/rows derive from it). */
  threshold: z.number().gt(0).lt(1).default(0.7),
  /** Word shingle size. */
  shingle: z.number().int().min(1).max(8).default(DEFAULT_SHINGLE_K),
  /** Seed of the MinHash permutations (a community key in shared deployments). */
  seed: z.string().default('distillguard-template-v1'),
});

export const LinkSchema = z.object({
  /** Groups larger than this are treated as common infrastructure (CGNAT, a popular client) and not linked. */
  maxGroupSize: z.number().int().min(10).default(2000),
  /** Smallest linked group judged as a campaign. */
  minCampaignAccounts: z.number().int().min(2).default(3),
  /** Accounts created within this window of each other form a sign-up cohort. */
  signupWindowMs: z.number().int().positive().default(2 * HOUR),
});

export const EngineConfigSchema = z.object({
  /** Records older than the newest ts minus this are rejected as late. */
  maxLatenessMs: z.number().int().min(0).default(10 * MINUTE),
  /** Event-time interval between judgements. */
  judgeIntervalMs: z.number().int().min(MINUTE).default(15 * MINUTE),
  /** Lines longer than this are rejected as too_large. */
  maxLineBytes: z.number().int().min(1024).default(1024 * 1024),
  /** Key of the keyed hash applied to e-mail addresses on ingest (hex or text). Absent: the install's random secret (src/config/secret.ts). */
  emailKey: z.string().min(8).optional(),
  /** Output ceilings (max output tokens) of known models; unknown models use the largest max_tokens seen. */
  modelCeilings: z.record(z.string(), z.number().int().positive()).default({}),
  // Absent sections parse as {}: each default is written once, on its field.
  thresholds: ThresholdsSchema.prefault({}),
  template: TemplateSchema.prefault({}),
  link: LinkSchema.prefault({}),
  /** The numbers of the linking and scoring rules (src/config/scoring.ts). */
  scoring: ScoringSchema.prefault({}),
  /** Community keys for sharing (src/intel): keyed hashes and template fingerprints in campaign indicators. */
  intel: CommunityKeysSchema.optional(),
});

export type EngineConfig = z.infer<typeof EngineConfigSchema>;
export type EngineConfigInput = z.input<typeof EngineConfigSchema>;

/** Validate and fill defaults; throws a zod error naming the bad option. */
export function buildEngineConfig(input: EngineConfigInput = {}): EngineConfig {
  return EngineConfigSchema.parse(input);
}
