import { defineConfig } from 'vitest/config'

// CI (.ci/run) sets VITEST_JSON_OUTPUT to read the counts for its closing line.
const jsonOutput = process.env.VITEST_JSON_OUTPUT

// Files that must run in a fresh module registry: the browser suite (its harness registers a
// failure report per file) and a test that mocks node:crypto.
const ISOLATED = ['test/browser/**/*.test.ts', 'test/unit/connectors/selfstore/webhook.test.ts']

export default defineConfig({
  test: {
    setupFiles: ['test/helpers/setup.ts'],
    globalSetup: ['test/helpers/console-build.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: jsonOutput ? ['default', ['json', { outputFile: jsonOutput }]] : ['default'],
    projects: [
      {
        // Unit and integration files share one module registry per worker: importing the
        // application took ~2.5 s per file, more than most files' tests. Each file still has its own
        // database, Redis prefix and app; test/helpers/setup.ts resets what is process-wide.
        extends: true,
        test: { name: 'shared', include: ['test/**/*.test.ts'], exclude: ISOLATED, isolate: false },
      },
      { extends: true, test: { name: 'isolated', include: ISOLATED, isolate: true } },
    ],
  },
})
