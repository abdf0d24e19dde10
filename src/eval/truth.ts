// The simulator's ground truth, as written to truth.json.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { InputError } from '../core/errors.js';

export const TruthSchema = z.object({
  version: z.literal(1),
  scenario: z.string(),
  accounts: z.record(
    z.string(),
    z.object({
      label: z.enum(['distillation', 'organic']),
      group: z.string(),
      category: z.string().optional(),
      campaign: z.string().nullable().optional(),
    }),
  ),
  campaigns: z.record(
    z.string(),
    z.object({ kind: z.string(), accounts: z.array(z.string()), start: z.string() }).passthrough(),
  ),
}).passthrough();

export type Truth = z.infer<typeof TruthSchema>;

export async function readTruth(path: string): Promise<Truth> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read truth file ${path}: ${(e as Error).message}`);
  }
  const parsed = TruthSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new InputError(`truth file ${path} is not valid: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}
