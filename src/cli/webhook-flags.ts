// `--webhook-url` (repeatable) and `--webhook-secret-file`, as serve and judge take them: checked up
// front, each problem one line (exit status 2).
import { readFile } from 'node:fs/promises';
import { InputError } from '../core/errors.js';

/** The signing secret for `urls` (undefined when there are none); throws InputError on a bad URL or secret. */
export async function webhookSecret(urls: readonly string[], secretFile: string | undefined): Promise<string | undefined> {
  if (urls.length === 0) return undefined;
  if (!secretFile) throw new InputError('--webhook-url needs --webhook-secret-file');
  const secret = await readSecret(secretFile);
  for (const u of urls) if (!/^https?:\/\//.test(u) || !URL.canParse(u)) throw new InputError(`--webhook-url: not an http(s) URL: ${u}`);
  return secret;
}

async function readSecret(path: string): Promise<string> {
  let s: string;
  try {
    s = (await readFile(path, 'utf8')).trim();
  } catch (e) {
    throw new InputError(`cannot read webhook secret ${path}: ${(e as Error).message}`);
  }
  if (s.length < 16) throw new InputError(`webhook secret in ${path} must be at least 16 characters`);
  return s;
}
