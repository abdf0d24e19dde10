// Loads an engine configuration file given explicitly (never read implicitly from the working directory).
import { readFile } from 'node:fs/promises';
import { InputError } from '../core/errors.js';
import { EngineConfigSchema, type EngineConfigInput } from './schema.js';

export async function loadConfigFile(path: string): Promise<EngineConfigInput> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read config ${path}: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new InputError(`config ${path} is not JSON: ${(e as Error).message}`);
  }
  const parsed = EngineConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new InputError(`config ${path}: ${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  return raw as EngineConfigInput;
}
