// MITRE ATLAS techniques that name a distillation attack. The ids and names are embedded so export works
// anywhere; when the ATLAS data file is given, names and descriptions are read from it.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface AtlasTechnique {
  id: string;
  name: string;
  description?: string;
}

export const ATLAS_TECHNIQUES: readonly AtlasTechnique[] = [
  { id: 'AML.T0024.002', name: 'Extract AI Model' },
  { id: 'AML.T0040', name: 'AI Model Inference API Access' },
];

export function atlasUrl(id: string): string {
  return `https://atlas.mitre.org/techniques/${id}`;
}

/** Our techniques with names and descriptions from an ATLAS.yaml (mitre-atlas/atlas-data layout). */
export function loadAtlasTechniques(path: string): AtlasTechnique[] {
  const doc = parse(readFileSync(path, 'utf8')) as unknown;
  const found = new Map<string, AtlasTechnique>();
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) {
      for (const x of v) visit(x);
      return;
    }
    if (v === null || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    if (typeof o.id === 'string' && typeof o.name === 'string' && ATLAS_TECHNIQUES.some((t) => t.id === o.id) && !found.has(o.id)) {
      found.set(o.id, { id: o.id, name: o.name, description: typeof o.description === 'string' ? o.description.trim() : undefined });
    }
    for (const x of Object.values(o)) visit(x);
  };
  visit(doc);
  return ATLAS_TECHNIQUES.map((t) => found.get(t.id) ?? t);
}
