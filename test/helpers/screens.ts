// Where the dashboard and brief tests put their screenshots. `npm run screens:update` writes them to
// docs/screens (tracked, and looked at); an ordinary test run writes them to a temporary folder, so
// that running the tests never changes the work tree.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function screensDir(): string {
  return process.env.UPDATE_SCREENS === '1' ? fileURLToPath(new URL('../../docs/screens', import.meta.url)) : join(tmpdir(), 'distillguard-screens');
}
