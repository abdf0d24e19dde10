import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// scan's per-install e-mail key (src/config/secret.ts): one shared file for the test run, not ~/.config.
const secret = join(tmpdir(), 'distillguard-test-secret');

export default defineConfig({
  test: {
    env: { DISTILLGUARD_SECRET_FILE: secret },
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
