/**
 * Product functions stay short: lint (eslint.config.mjs) refuses one over 60 lines in src/, activities/,
 * workflows/ and worker/ unless an `eslint-disable-next-line max-lines-per-function -- <why>` directly above
 * it says why it must be one piece. This holds those exceptions to what they were allowed to be: few (at
 * most MAX_EXCEPTIONS), each with its reason, none over HARD_MAX lines (counted with every inline directive
 * ignored), and no bare directive that would switch the rule off unnamed.
 * ESLint runs in a child process: it loads its configuration with a dynamic import, which jest's module
 * sandbox does not allow.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const PRODUCT_FOLDERS = ['src', 'activities', 'workflows', 'worker'];
const MAX_EXCEPTIONS = 12;
const HARD_MAX = 100;
/** What lint allows a product function without an exception (eslint.config.mjs). */
const LINT_MAX = 60;

function productFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) return productFiles(rel);
    return entry.name.endsWith('.ts') ? [rel] : [];
  });
}

const files = PRODUCT_FOLDERS.flatMap(productFiles);

/** Every ESLint directive comment in product code that disables something, as `file:line  text`. */
const directives = files.flatMap((file) =>
  fs
    .readFileSync(path.join(ROOT, file), 'utf8')
    .split('\n')
    .flatMap((text, i) =>
      /eslint-disable/.test(text) ? [{ where: `${file}:${i + 1}`, text: text.trim() }] : [],
    ),
);
const exceptions = directives.filter((d) => /max-lines-per-function/.test(d.text));

test('product code has the files this test scans', () => {
  expect(files.length).toBeGreaterThan(50);
});

test(`at most ${MAX_EXCEPTIONS} product functions are excepted from the ${LINT_MAX}-line limit`, () => {
  expect(exceptions.length).toBeLessThanOrEqual(MAX_EXCEPTIONS);
});

test('each exception is for the function below it, and says after `--` why it must be one piece', () => {
  const withoutReason = exceptions
    .filter(
      (d) => !/^\/\/ eslint-disable-next-line max-lines-per-function -- \S.{9,}$/.test(d.text), // a reason, not a word
    )
    .map((d) => `${d.where}  ${d.text}`);
  expect(withoutReason).toEqual([]);
});

test('no directive switches rules off without naming them (which would hide an exception)', () => {
  const bare = directives
    .filter((d) => /eslint-disable(?:-next-line|-line)?\s*(?:$|\*\/|--)/.test(d.text))
    .map((d) => `${d.where}  ${d.text}`);
  expect(bare).toEqual([]);
});

interface LintAnswer {
  /** Functions over HARD_MAX lines, inline directives ignored. */
  tooLong: string[];
  /** The max-lines-per-function setting the project's configuration gives each product folder. */
  configured: Record<string, unknown>;
}

let answer: LintAnswer;
beforeAll(() => {
  const script = `
    const { ESLint } = require('eslint');
    const tseslint = require('typescript-eslint');
    const path = require('node:path');
    const [files, folders, max] = JSON.parse(process.argv[1]);
    (async () => {
      // Only this rule, on the parser alone (no type information): a few seconds for the whole product.
      const counting = new ESLint({
        cwd: process.cwd(),
        overrideConfigFile: true,
        allowInlineConfig: false,
        overrideConfig: [
          {
            files: ['**/*.ts'],
            languageOptions: { parser: tseslint.parser },
            rules: { 'max-lines-per-function': ['error', { max, skipBlankLines: false, skipComments: false }] },
          },
        ],
      });
      const results = await counting.lintFiles(files);
      const tooLong = results.flatMap((r) =>
        r.messages.map((m) => path.relative(process.cwd(), r.filePath) + ':' + m.line + '  ' + m.message),
      );
      const project = new ESLint({ cwd: process.cwd() });
      const configured = {};
      for (const [folder, file] of Object.entries(folders)) {
        const config = await project.calculateConfigForFile(path.join(process.cwd(), file));
        configured[folder] = config.rules['max-lines-per-function'];
      }
      process.stdout.write(JSON.stringify({ tooLong, configured }));
    })();`;
  const oneFilePerFolder = Object.fromEntries(
    PRODUCT_FOLDERS.map((folder) => [folder, files.find((f) => f.startsWith(`${folder}${path.sep}`))!]),
  );
  answer = JSON.parse(
    execFileSync(process.execPath, ['-e', script, JSON.stringify([files, oneFilePerFolder, HARD_MAX])], {
      cwd: ROOT,
      encoding: 'utf8',
    }),
  ) as LintAnswer;
}, 120_000);

test(`no product function is over ${HARD_MAX} lines, exceptions included`, () => {
  expect(answer.tooLong).toEqual([]);
});

test(`lint holds every product folder to ${LINT_MAX} lines a function, blank lines and comments counted`, () => {
  for (const folder of PRODUCT_FOLDERS)
    expect([folder, answer.configured[folder]]).toEqual([
      folder,
      [2, { max: LINT_MAX, skipBlankLines: false, skipComments: false }],
    ]);
});
