import js from '@eslint/js';
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';
import fs from 'node:fs';
import path from 'node:path';

const NODE_BUILTINS = builtinModules.filter((m) => !m.startsWith('_'));
/** The folders of src/, each entered through its index.ts. */
const SRC_FOLDERS = fs
  .readdirSync(path.join(import.meta.dirname, 'src'), { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name);
const THROUGH_INDEX = {
  regex: `^(\\.\\./)+(src/)?(${SRC_FOLDERS.join('|')})/`,
  message: 'import the folder (its index.ts), not a file inside it',
};
const NOT_DEMO = {
  regex: '^(\\.\\./)+(src/)?demo(/.*)?$',
  message: 'src/demo is demo support beside the product: only the demo commands, bench/ and test/ use it',
};
/** The demo commands of the CLI: flags read here, the demo itself in src/demo. */
const DEMO_COMMANDS = ['seed-demo', 'label-demo', 'loop-demo'].map((c) => `src/cli/commands/${c}.ts`);

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
    // Each folder of src/ is entered through its index.ts, its public face: what is not exported there is
    // the folder's own business. (Tests may look inside a folder: they test its parts.)
    files: [
      'src/**/*.ts',
      'worker/**/*.ts',
      'activities/**/*.ts',
      'workflows/**/*.ts',
      'bench/**/*.ts',
      'scripts/**/*.ts',
    ],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [THROUGH_INDEX] }] },
  },
  {
    // A product function is read as one step: past 60 lines it is several, and is split along its phases into
    // functions that name them (activities/execute-training/ shows the shape). One that must stay one piece
    // says why directly above it: `// eslint-disable-next-line max-lines-per-function -- <why>`.
    // test/unit/function-length.test.ts keeps those exceptions few (at most 12), each with its reason, none
    // over 100 lines. Blank lines and comments count: they are read too.
    files: ['src/**/*.ts', 'activities/**/*.ts', 'workflows/**/*.ts', 'worker/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 60, skipBlankLines: false, skipComments: false }] },
  },
  {
    // Demo support (stand-ins for DFT, demo campaigns, the loop on them) stands beside the product: nothing a
    // training runs on may come to depend on a demo. The CLI's demo commands are its one door in.
    files: ['src/**/*.ts', 'worker/**/*.ts', 'activities/**/*.ts', 'workflows/**/*.ts'],
    ignores: ['src/demo/**', ...DEMO_COMMANDS],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [THROUGH_INDEX, NOT_DEMO] }] },
  },
  {
    // The workflows' contract is imported by workflow code, so it stays pure; and every folder builds on
    // it, so it builds on none of them: a type from elsewhere, erased or not, would tie the contract to
    // that folder's code (and close a circle through it). Only itself, zod and Temporal's common and
    // workflow packages.
    files: ['src/api/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!\\./|zod$|@temporalio/(common|workflow)$)',
              message:
                'src/api is pure and self-contained: it imports only itself, zod and @temporalio/common|workflow (types included)',
            },
          ],
        },
      ],
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node APIs (with or without the node:
    // prefix), no I/O libraries, no activity code (types only, through activities/index.ts), and values
    // only from the pure contract (src/api, the failure types included).
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'workflow code cannot use Node APIs: do it in an activity' },
            {
              regex: `^(${NODE_BUILTINS.join('|')})(/.*)?$`,
              message: 'workflow code cannot use Node APIs: do it in an activity',
            },
            { group: ['mongodb'], message: 'workflow code does no I/O: call an activity' },
            NOT_DEMO,
            {
              // (demo excepted: NOT_DEMO refuses its types too, which a match here would let through)
              regex: '^\\.\\./src/(?!api$|demo(/|$))',
              allowTypeImports: true,
              message: 'workflow code takes values only from ../src/api (the other folders do I/O)',
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
