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
        test: {
          name: 'shared',
          include: ['test/**/*.test.ts'],
          exclude: ISOLATED,
          isolate: false,
          sequence: { groupOrder: 1 },
        },
      },
      {
        // The browser files run first, two at a time, not beside the database-heavy integration
        // files: a browser waiting on a starved API was the suite's flakiness. A failed browser
        // test runs once more (a slow page is the usual cause; a real failure fails twice).
        extends: true,
        test: { name: 'isolated', include: ISOLATED, isolate: true, sequence: { groupOrder: 0 }, retry: 1 },
      },
    ],
  },
})
