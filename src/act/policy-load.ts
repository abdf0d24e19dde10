// Reads a policy file (YAML, or JSON, which is YAML too) and validates it; a bad file is one line that
// names the file, the line and column, the field and what is wrong.
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import { InputError } from '../core/errors.js';
import { PolicySchema, type Policy, type Suppression } from './policy-schema.js';

/** A policy with where it came from and the text it was read from (kept for the audit). */
export interface LoadedPolicy {
  policy: Policy;
  source: string;
  text: string;
}

/** Parses and validates policy text; `source` names it in errors. Throws InputError (one line). */
export function parsePolicy(text: string, source: string): LoadedPolicy {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const err = doc.errors[0];
  if (err) {
    const pos = lines.linePos(err.pos[0]);
    throw new InputError(`policy ${source}:${pos.line}:${pos.col}: ${firstLine(err.message)}`);
  }
  const parsed = PolicySchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    const pos = lines.linePos(offsetOf(doc, path));
    throw new InputError(`policy ${source}:${pos.line}:${pos.col}: ${formatPath(path)}: ${firstLine(issue.message)}`);
  }
  return { policy: parsed.data, source, text };
}

export async function loadPolicyFile(path: string): Promise<LoadedPolicy> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read policy ${path}: ${(e as Error).message}`);
  }
  return parsePolicy(text, path);
}

/** The policy that ships (policies/default.yaml, documented in docs/act.md). */
export async function loadDefaultPolicy(): Promise<LoadedPolicy> {
  return loadPolicyFile(defaultPolicyPath());
}

export function defaultPolicyPath(): string {
  // src/act (tests, tsx) and dist/src/act (the built CLI) sit at different depths below the package.
  for (const rel of ['../../policies/default.yaml', '../../../policies/default.yaml']) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  throw new Error('the default policy (policies/default.yaml) is missing from the package');
}

/** The start of the deepest node on `path` that exists (a missing field points at its parent). */
function offsetOf(doc: Document, path: (string | number)[]): number {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) return node.range[0];
  }
  return 0;
}

function formatPath(path: (string | number)[]): string {
  if (path.length === 0) return '(top level)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function firstLine(s: string): string {
  return s.split('\n')[0].trim();
}

/**
 * The policy text with one more suppression (an analyst's exemption), comments and layout kept;
 * validated like any policy, so a suppression naming an unknown rule is refused with its line.
 */
export function withSuppression(p: LoadedPolicy, s: Suppression): LoadedPolicy {
  const doc = parseDocument(p.text);
  const entry = Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined));
  if (doc.hasIn(['suppressions']) && doc.getIn(['suppressions']) !== null) doc.addIn(['suppressions'], doc.createNode(entry, { flow: true }));
  else doc.setIn(['suppressions'], doc.createNode([entry]));
  return parsePolicy(doc.toString(), p.source);
}
