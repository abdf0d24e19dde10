// The sharing options (src/intel reads them): community keys and the warninglist. Here, beside the
// engine's schema that embeds them, so that configuration does not depend on the stage that uses it.
import { z } from 'zod';

export const AllowlistSchema = z.object({
  /** CIDR prefixes (IPv4 or IPv6) of shared infrastructure: corporate proxies, CGNAT, cloud egress. */
  prefixes: z.array(z.string()).default([]),
  asns: z.array(z.number().int().nonnegative()).default([]),
  /** Prompt texts whose scaffolds are common and benign (fingerprinted with the community key at load). */
  templates: z.array(z.string()).default([]),
  userAgents: z.array(z.string()).default([]),
});
export type AllowlistConfig = z.infer<typeof AllowlistSchema>;

export const CommunityKeySchema = z.object({
  /** Public id carried next to every hash made with this key. */
  id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'key id: 1-64 letters, digits, . _ -'),
  /** The shared secret: high-entropy text (at least 16 characters). */
  secret: z.string().min(16, 'community key secret: at least 16 characters'),
});

export const CommunityKeysSchema = z
  .object({
    keys: z.array(CommunityKeySchema).min(1),
    /** Key id used for what we export; default the last key listed. */
    current: z.string().optional(),
    /** Warninglist: what peers' indicators may never turn into evidence (besides the built-in entries). */
    allowlist: AllowlistSchema.optional(),
  })
  .refine((k) => k.current === undefined || k.keys.some((x) => x.id === k.current), { message: 'current names no key in keys' })
  .refine((k) => new Set(k.keys.map((x) => x.id)).size === k.keys.length, { message: 'key ids must be unique' });

export type CommunityKeysConfig = z.infer<typeof CommunityKeysSchema>;
