// The TAXII server's configuration: API roots (one per trust group), their collections, and API keys with
// read and write rights per collection. Validated once, up front.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { InputError } from '../../core/errors.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const CollectionSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/, 'collection id: letters, digits and -'),
  title: z.string().min(1),
  description: z.string().optional(),
});

export const ApiRootSchema = z.object({
  title: z.string().min(1),
  description: z.string().optional(),
  collections: z.array(CollectionSchema).default([]),
});

export const TaxiiUserSchema = z.object({
  name: z.string().regex(NAME, 'user name: letters, digits, . _ -'),
  /** The API key: sent as the HTTP Basic password (user name as user) or as a bearer token. */
  key: z.string().min(16, 'API key: at least 16 characters'),
  /** `root/collection` references; `root/*` means every collection of that root. */
  read: z.array(z.string()).default([]),
  write: z.array(z.string()).default([]),
});

export const TaxiiConfigSchema = z
  .object({
    title: z.string().default('distillguard TAXII 2.1'),
    description: z.string().optional(),
    contact: z.string().optional(),
    /** The API root named in discovery as the default. */
    default: z.string().optional(),
    /** Largest request body accepted, in bytes (TAXII max_content_length); larger ones get 413. */
    maxContentLength: z.number().int().min(1024).default(10 * 1024 * 1024),
    /** Objects per page when the client gives no limit, and the most it may ask for. */
    pageSize: z.number().int().min(1).default(100),
    maxPageSize: z.number().int().min(1).default(1000),
    apiRoots: z.record(z.string().regex(NAME, 'API root name: letters, digits, . _ -'), ApiRootSchema),
    users: z.array(TaxiiUserSchema).min(1),
    /** Secret that signs pagination cursors (default: derived from the users' keys). */
    cursorSecret: z.string().min(16).optional(),
  })
  .refine((c) => c.default === undefined || c.default in c.apiRoots, { message: 'default names no API root' })
  .refine((c) => new Set(c.users.map((u) => u.name)).size === c.users.length, { message: 'user names must be unique' })
  .refine((c) => new Set(c.users.map((u) => u.key)).size === c.users.length, { message: 'API keys must be unique' });

export type TaxiiConfig = z.infer<typeof TaxiiConfigSchema>;
export type TaxiiConfigInput = z.input<typeof TaxiiConfigSchema>;

export function buildTaxiiConfig(input: unknown): TaxiiConfig {
  return TaxiiConfigSchema.parse(input);
}

export async function loadTaxiiConfig(path: string): Promise<TaxiiConfig> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new InputError(`cannot read TAXII config ${path}: ${(e as Error).message}`);
  }
  const parsed = TaxiiConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new InputError(`TAXII config ${path}: ${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  return parsed.data;
}
