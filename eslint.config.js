import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The stages in dependency order: a folder of src/ may import its own layer and earlier ones, never a
 * later one (types included), so data and types flow the way the pipeline reads. The last layer holds
 * what composes or consumes the engine's results. Tests, contract suites and benchmarks may import
 * anything (they drive whole pipelines).
 */
export const LAYERS = [
  ['core'],
  ['sketches'],
  ['config'],
  ['sources'],
  ['decode'],
  ['order'],
  ['observe'],
  ['signals'],
  ['link'],
  ['judge'],
  ['engine'],
  // The simulator and the quality metrics are called by commands and benchmarks, never the other way.
  ['sim', 'eval'],
  ['act', 'report', 'store', 'intel', 'server', 'cli', 'cluster'],
];

/** One `no-restricted-imports` rule per folder: the folders of every later layer are off limits. */
function layering() {
  return LAYERS.flatMap((layer, i) => {
    const later = LAYERS.slice(i + 1).flat();
    if (later.length === 0) return [];
    return layer.map((folder) => ({
      files: [`src/${folder}/**/*.ts`],
      ignores: ['**/*.test.ts', '**/*.contract.ts', '**/*.bench.ts'],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              {
                // A relative path that climbs out of the folder into a later stage's folder.
                regex: `^(\\.\\./)+(${later.join('|')})/`,
                message: `src/${folder} comes before ${later.join(', ')} in the pipeline (eslint.config.js LAYERS): move the shared piece upstream, or hand it on as a return value.`,
              },
            ],
          },
        ],
      },
    }));
  });
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'out/**', 'web/dist/**', '.cache/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['bin/**/*.js'],
    languageOptions: { globals: { process: 'readonly' } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...layering(),
  {
    // A worker thread's entry point: it builds for itself what a command would have handed the engine
    // (the community-keyed e-mail hashing of src/intel), because functions cannot cross to a thread.
    files: ['src/engine/decode-worker.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
