// Bad input to the intel and taxii commands: one line on stderr, exit status 2.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/scan-run.js';

describe('intel and taxii commands: bad input', () => {
  it('exits 2 with one line for each mistake', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dg-intel-cli-'));
    try {
      writeFileSync(join(dir, 'bad.json'), '{"apiRoots": {}, "users": []}');
      writeFileSync(join(dir, 'notabundle.json'), '{"type": "bundle"}');
      const cases: [string[], RegExp][] = [
        [['intel', 'export', '--db', join(dir, 'none.duckdb'), '--out', join(dir, 'b.json')], /does not exist/],
        [['intel', 'export', '--db', join(dir, 'none.duckdb'), '--out', join(dir, 'b.json'), '--tlp', 'white'], /--tlp must be one of/],
        [['intel', 'pull', 'ftp://example', '--collection', 'c', '--db', join(dir, 'p.duckdb')], /no API key|http\(s\) URL/],
        [['intel', 'push', 'http://127.0.0.1:9/taxii2/x/', '--collection', 'c', '--bundle', join(dir, 'notabundle.json'), '--key-file', join(dir, 'bad.json')], /not a STIX bundle/],
        [['taxii', 'serve', '--config', join(dir, 'bad.json'), '--db', join(dir, 't.duckdb')], /TAXII config .*users/],
        [['scan', join(dir, 'bad.json'), '--out', join(dir, 'out'), '--peer-intel', join(dir, 'notabundle.json')], /--peer-intel needs community keys/],
      ];
      for (const [args, message] of cases) {
        const r = await runCli(args);
        expect(r.code, args.join(' ')).toBe(2);
        expect(r.stderr.trim().split('\n').length, r.stderr).toBe(1);
        expect(r.stderr).toMatch(message);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
