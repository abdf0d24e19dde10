// Where the optional reference data (MITRE ATLAS, OASIS STIX schemas) lives, when it is there at all.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { referenceDataDir } from '../../sketches/prompt-corpus.js';

/** ATLAS.yaml path, or undefined when the reference data is absent. */
export function atlasDataFile(): string | undefined {
  const dir = referenceDataDir();
  const f = dir && join(dir, 'atlas', 'ATLAS.yaml');
  return f && existsSync(f) ? f : undefined;
}

/** The OASIS STIX 2.1 JSON schemas folder, or undefined when absent. */
export function stixSchemaDir(): string | undefined {
  const dir = referenceDataDir();
  const f = dir && join(dir, 'stix2-json-schemas', 'schemas');
  return f && existsSync(f) ? f : undefined;
}
