// A new user's first steps: the README's set-up is two lines (demo with install, tests), it says what
// a fresh Debian machine must add, and `npm ci` of the lockfile fits the Node version it states
// (no EBADENGINE warning: every locked package's `engines.node` admits this Node).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const root = new URL('../', import.meta.url);
const read = (f: string): string => readFileSync(new URL(f, root), 'utf8');
// npm's own range semantics (a dependency of npm's tooling here; untyped, so required).
const semver = createRequire(import.meta.url)('semver') as { satisfies(v: string, range: string): boolean; minVersion(range: string): { version: string } | null };

describe('first steps', () => {
  it('the README sets up in two lines: install and demo, then the tests; and names what Debian must add', () => {
    const readme = read('README.md');
    const setup = /## Set-up[^\n]*\n+```sh\n([\s\S]*?)```/.exec(readme);
    expect(setup, 'a Set-up section with a shell block').not.toBeNull();
    const lines = setup![1].split('\n').filter((l) => l.trim() !== '');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^npm ci && npm run demo\b/);
    expect(lines[1]).toMatch(/^npm test\b/);
    expect(readme).toMatch(/chromium/i);
  });

  it('every locked package supports the Node versions package.json states (npm ci prints no EBADENGINE)', () => {
    const pkg = JSON.parse(read('package.json')) as { engines: { node: string } };
    const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { engines?: { node?: string } | string[]; dev?: boolean }> };
    const oldest = semver.minVersion(pkg.engines.node)!.version;
    expect(semver.satisfies(process.version, pkg.engines.node), `this Node ${process.version} is one package.json admits`).toBe(true);
    const refuse: string[] = [];
    for (const [path, p] of Object.entries(lock.packages)) {
      const range = Array.isArray(p.engines) ? undefined : p.engines?.node;
      if (!path || range === undefined) continue;
      for (const v of [oldest, process.version]) if (!semver.satisfies(v, range)) refuse.push(`${path} needs node ${range}, not ${v}`);
    }
    expect(refuse).toEqual([]);
  });
});
