/**
 * The lint rules that keep workflow code inside Temporal's sandbox catch what the bundler would only catch
 * at worker start (or what would run and break determinism), with a message that says what to do instead.
 * ESLint runs in a child process: it loads its configuration with a dynamic import, which jest's module
 * sandbox does not allow. The code is linted as if it were an existing file's (the project service knows only
 * those), which is never written.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const root = path.join(__dirname, '..', '..');

const cases = {
  nodePrefixed: {
    file: 'workflows/patches.ts',
    code: "import fs from 'node:fs';\nexport const used = [fs];\n",
  },
  bareBuiltin: {
    file: 'workflows/patches.ts',
    code: "import path from 'path';\nexport const used = [path];\n",
  },
  subpathBuiltin: {
    file: 'workflows/patches.ts',
    code: "import { readFile } from 'fs/promises';\nexport const used = [readFile];\n",
  },
  database: {
    file: 'workflows/patches.ts',
    code: "import { MongoClient } from 'mongodb';\nexport const used = [MongoClient];\n",
  },
  activityCode: {
    file: 'workflows/patches.ts',
    code: "import { createExecuteTrainingActivity } from '../activities/execute-training';\nexport const used = [createExecuteTrainingActivity];\n",
  },
  outsideWorkflows: {
    file: 'src/process/semaphore.ts',
    code: "import fs from 'node:fs';\nexport const used = [fs];\n",
  },
  ioFolderValue: {
    file: 'workflows/patches.ts',
    code: "import { latestCheckpoint } from '../src/pacemaker';\nexport const used = [latestCheckpoint];\n",
  },
  ioFolderType: {
    file: 'workflows/patches.ts',
    code: "import type { TrainerParams } from '../src/api';\nimport type { Manifest } from '../src/training-set';\nexport type Used = [TrainerParams, Manifest];\n",
  },
  apiWithNode: {
    file: 'src/api/elements.ts',
    code: "import fs from 'node:fs';\nexport const used = [fs];\n",
  },
  apiReachingOut: {
    file: 'src/api/elements.ts',
    code: "import { latestCheckpoint } from '../pacemaker';\nexport const used = [latestCheckpoint];\n",
  },
  apiTypeReachingOut: {
    file: 'src/api/elements.ts',
    code: "import type { Manifest } from '../training-set';\nexport type Used = Manifest;\n",
  },
  apiOtherPackage: {
    file: 'src/api/elements.ts',
    code: "import { parse } from 'yaml';\nexport const used = [parse];\n",
  },
  productUsingDemo: {
    file: 'worker/in-process.ts',
    code: "import { seedDemo } from '../src/demo';\nexport const used = [seedDemo];\n",
  },
  activityTypeFromDemo: {
    file: 'activities/context.ts',
    code: "import type { LabellerName } from '../src/demo';\nexport type Used = LabellerName;\n",
  },
  workflowTypeFromDemo: {
    file: 'workflows/patches.ts',
    code: "import type { LabellerName } from '../src/demo';\nexport type Used = LabellerName;\n",
  },
  demoCommand: {
    file: 'src/cli/commands/seed-demo.ts',
    code: "import { seedDemo } from '../../demo';\nexport const used = [seedDemo];\n",
  },
  benchUsingDemo: {
    file: 'bench/seed-demo.ts',
    code: "import { seedDemo } from '../src/demo';\nexport const used = [seedDemo];\n",
  },
  deepImport: {
    file: 'worker/in-process.ts',
    code: "import { latestCheckpoint } from '../src/pacemaker/checkpoint';\nexport const used = [latestCheckpoint];\n",
  },
  floatingPromise: {
    file: 'src/process/semaphore.ts',
    code: 'async function f() {\n  return 1;\n}\nexport function g() {\n  f();\n}\n',
  },
};

let found: Record<keyof typeof cases, string>;
beforeAll(() => {
  const script = `
    const { ESLint } = require('eslint');
    const path = require('node:path');
    const cases = JSON.parse(process.argv[1]);
    (async () => {
      const eslint = new ESLint({ cwd: process.cwd() });
      const out = {};
      for (const [name, { file, code }] of Object.entries(cases)) {
        const [r] = await eslint.lintText(code, { filePath: path.join(process.cwd(), file) });
        out[name] = r.messages.map((m) => m.ruleId + ': ' + m.message).join('\\n');
      }
      process.stdout.write(JSON.stringify(out));
    })();`;
  found = JSON.parse(
    execFileSync(process.execPath, ['-e', script, JSON.stringify(cases)], { cwd: root, encoding: 'utf8' }),
  );
}, 120_000);

describe('lint guards the workflow sandbox and the layout', () => {
  test.each([
    ['nodePrefixed', /Node APIs/],
    ['bareBuiltin', /Node APIs/],
    ['subpathBuiltin', /Node APIs/],
    ['database', /does no I\/O/],
    ['activityCode', /import type/],
  ] as const)('%s imports in workflows/ are refused', (name, message) => {
    expect(found[name]).toMatch(message);
  });

  test('the same imports are fine outside workflows/', () => {
    expect(found.outsideWorkflows).toBe('');
  });

  test('workflow code takes values only from src/api; types may come from anywhere', () => {
    expect(found.ioFolderValue).toMatch(/values only from \.\.\/src\/api/);
    expect(found.ioFolderType).toBe('');
  });

  test('src/api stays pure and self-contained: no Node APIs, no other package, nothing of the package outside it, types included', () => {
    expect(found.apiWithNode).toMatch(/src\/api is pure/);
    expect(found.apiReachingOut).toMatch(/imports only itself/);
    expect(found.apiTypeReachingOut).toMatch(/imports only itself/);
    expect(found.apiOtherPackage).toMatch(/imports only itself/);
  });

  test('product code never uses the demo support; the demo commands and benches do', () => {
    expect(found.productUsingDemo).toMatch(/demo support beside the product/);
    expect(found.activityTypeFromDemo).toMatch(/demo support beside the product/);
    expect(found.workflowTypeFromDemo).toMatch(/demo support beside the product/);
    expect(found.demoCommand).toBe('');
    expect(found.benchUsingDemo).toBe('');
  });

  test('a folder of src/ is entered through its index.ts', () => {
    expect(found.deepImport).toMatch(/import the folder/);
  });

  test('a promise nobody awaits is refused anywhere', () => {
    expect(found.floatingPromise).toMatch(/no-floating-promises/);
  });
});
