// Type-aware lint (typescript-eslint recommendedTypeChecked + the floating-promise family).
import { defineConfig } from 'eslint/config'
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default defineConfig(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'smart'],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // False positives on Kysely and fastify generics: removing the flagged assertions breaks the build.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
    },
  },
  // One Decimal configuration and one rounding rule, both in src/money (README: money conventions).
  {
    files: ['src/**/*.ts', 'connectors/**/*.ts', 'jobs/**/*.ts', 'config/**/*.ts'],
    ignores: ['src/money/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          name: 'decimal.js',
          message: 'Use Decimal, money() and round() from src/money: one configuration.',
        },
      ],
      'no-restricted-properties': [
        'error',
        { property: 'toDecimalPlaces', message: 'Round with round() or truncate() from src/money.' },
        { property: 'toDP', message: 'Round with round() or truncate() from src/money.' },
      ],
    },
  },
  {
    files: ['src/money/**/*.ts', 'src/ledger/**/*.ts', 'connectors/*/map.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.name='parseFloat']",
          message: 'Money is decimal.js, never a float.',
        },
        {
          selector: "CallExpression[callee.name='Number']",
          message: 'Money is decimal.js, never a JS number.',
        },
      ],
    },
  },
  // The hub depends on connectors, never the reverse: connectors/ imports nothing from src/ except
  // src/money, a leaf over decimal.js (a deliberate boundary, so money stays one implementation).
  {
    files: ['connectors/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)src/(?!money/index\\.js$)',
              message:
                'connectors/ must not import from src/ (only src/money/index.js); put shared contract types in connectors/types.ts.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/money/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.',
              message: 'src/money is a leaf that connectors import: it depends on decimal.js alone.',
            },
          ],
        },
      ],
    },
  },
  // vitest's asymmetric matchers (expect.any, arrayContaining) are typed any.
  { files: ['test/**/*.ts'], rules: { '@typescript-eslint/no-unsafe-assignment': 'off' } },
  { files: ['**/*.js'], extends: [tseslint.configs.disableTypeChecked] },
)
