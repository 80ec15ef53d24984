import js from '@eslint/js';
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.venv/', '.build/', '.dev-data/', '.mlip/', '.test-results/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        __dirname: 'readonly',
        console: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'inline-type-imports' },
      ],
    },
  },
  {
    // A promise nobody awaits hides its failure (and in workflow code, a step nobody waits for): every
    // promise is awaited, returned, or explicitly `void`ed with a comment. Needs type information.
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: { '@typescript-eslint/no-floating-promises': 'error' },
  },
  {
    // Plain CommonJS scripts (jest config, bin shims, helper scripts) are not compiled: require() is right there.
    files: ['**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node APIs (with or without the node:
    // prefix), no I/O libraries, no activity code (types only, through activities/index.ts).
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'workflow code cannot use Node APIs: do it in an activity' },
            {
              regex: `^(${builtinModules.filter((m) => !m.startsWith('_')).join('|')})(/.*)?$`,
              message: 'workflow code cannot use Node APIs: do it in an activity',
            },
            {
              group: ['mongodb', '../src/db/*', '../src/process/*'],
              message: 'workflow code does no I/O: call an activity',
            },
            {
              group: ['../activities/*'],
              message: "import activity types from '../activities' (import type), never activity code",
            },
          ],
        },
      ],
    },
  },
);
