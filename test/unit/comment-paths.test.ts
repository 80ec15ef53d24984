/**
 * Comments, strings and docs that name a repository path name one that exists. A file or folder moved or
 * removed leaves comments pointing at it that no compiler notices; this check lists each as
 * `file:line → path` so it is fixed with the move.
 *
 * A path is a word starting with one of the project's top-level folders and a slash; it may end with `/`
 * (a folder) and omit a module's extension, as imports do. Paths with a glob or a placeholder (`*`, `<…>`,
 * `${…}`) are allowed only under the prefixes listed in PLACEHOLDER_PREFIXES, and deliberately wrong paths
 * (fixtures of tests that must report them) only where DELIBERATE lists them.
 */
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const THIS_FILE = 'test/unit/comment-paths.test.ts';

/** Where the project's own code and docs live (node_modules and caches excluded). */
const SCANNED_FOLDERS = [
  'src',
  'worker',
  'activities',
  'workflows',
  'bench',
  'scripts',
  'test',
  'python',
  'bin',
  'deploy',
];
const CODE_FILE = /\.(ts|js|py|sh)$/;
const SKIPPED_FOLDERS = new Set(['node_modules', '__pycache__', 'histories']);

const TOP_LEVEL = [
  'src',
  'worker',
  'activities',
  'workflows',
  'test',
  'python',
  'scripts',
  'docs',
  'bench',
  'bin',
  'deploy',
  'lammps-plugin',
];
// Not preceded by a path character, so `../src/x`, `.venv/bin/x` and URLs are not project paths.
const PATH = new RegExp(`(?<![\\w./@$-])((?:${TOP_LEVEL.join('|')})/[\\w.@/<>*{}$-]*)`, 'g');
const PLACEHOLDER = /[<*{$]/;

/** Globs and placeholders are fine under these prefixes, for the reason given. */
const PLACEHOLDER_PREFIXES: Record<string, string> = {
  'python/': 'the pinned requirement files (python/requirements*.txt), named as a set',
  'docs/': 'the docs pages, named as a set (README.md and docs/*.md)',
  'bench/': "bench/main.ts's modules, looked up by bench name",
  'bench/out/': 'files a bench writes at run time (git-ignored)',
  'test/fixtures/histories/': 'one folder of recorded histories per build label',
  'src/': "the layout test's listing of src/, one line per entry",
};

/** Paths that must not exist: a test edits the docs to name them and expects the docs check to object. */
const DELIBERATE: { file: string; path: string }[] = [
  { file: 'test/unit/readme-commands.test.ts', path: 'src/temporals/' },
  { file: 'test/unit/readme-commands.test.ts', path: 'docs/trainer.md' },
  { file: 'test/unit/readme-commands.test.ts', path: 'deploy/slurm/worker.sbatch' },
  { file: 'test/unit/readme-commands.test.ts', path: 'deploy/mlip-worker@.service' },
];

interface Mention {
  file: string;
  line: number;
  path: string;
}

function listFiles(rel: string): string[] {
  const abs = path.join(ROOT, rel);
  if (!fs.existsSync(abs)) return [];
  return fs.readdirSync(abs, { withFileTypes: true }).flatMap((e) => {
    const child = `${rel}/${e.name}`;
    if (e.isDirectory()) return SKIPPED_FOLDERS.has(e.name) ? [] : listFiles(child);
    return [child];
  });
}

/** Code files, executables without an extension (bin/), deploy/'s units and scripts, and the docs. */
function scannedFiles(): string[] {
  const code = SCANNED_FOLDERS.flatMap(listFiles).filter(
    (f) => CODE_FILE.test(f) || f.startsWith('deploy/') || (f.startsWith('bin/') && !path.extname(f)),
  );
  const docs = fs
    .readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`);
  const rootScripts = fs.readdirSync(ROOT).filter((f) => f.endsWith('.sh'));
  return [...code, ...rootScripts, 'README.md', ...docs];
}

/** Every project path a text names, with its line; trailing punctuation is the sentence's, not the path's. */
export function mentions(file: string, text: string): Mention[] {
  const found: Mention[] = [];
  text.split('\n').forEach((line, i) => {
    for (const m of line.matchAll(PATH)) {
      const named = m[1]!.replace(/[.,:;)\]}>'"`!?-]+$/, '');
      if (named.includes('/')) found.push({ file, line: i + 1, path: named });
    }
  });
  return found;
}

/** Folders that runs make (git-ignored): named in the docs, absent from a fresh clone. */
const GENERATED = ['bench/out/'];

/** A path exists as written, as a folder, or as a module named without its extension. */
function exists(p: string): boolean {
  if (GENERATED.some((g) => p === g || p === g.slice(0, -1) || p.startsWith(g))) return true;
  const abs = path.join(ROOT, p);
  return ['', '.ts', '.js', '.py', '/index.ts'].some((suffix) => fs.existsSync(abs + suffix));
}

function placeholderPrefix(p: string): string {
  const fixed = p.slice(0, p.search(PLACEHOLDER));
  return fixed.slice(0, fixed.lastIndexOf('/') + 1);
}

/** What is wrong with one mention, or undefined when it is fine. */
function problemWith(m: Mention): string | undefined {
  if (PLACEHOLDER.test(m.path))
    return placeholderPrefix(m.path) in PLACEHOLDER_PREFIXES
      ? undefined
      : 'a glob or placeholder outside PLACEHOLDER_PREFIXES';
  if (exists(m.path)) return undefined;
  // The list itself names them too.
  const listed = (d: (typeof DELIBERATE)[number]) => d.file === m.file || m.file === THIS_FILE;
  if (DELIBERATE.some((d) => listed(d) && d.path === m.path)) return undefined;
  return 'does not exist';
}

/** The problems as a table: `file:line → path (why)`, aligned. */
function table(rows: { where: string; path: string; why: string }[]): string {
  const width = Math.max(0, ...rows.map((r) => r.where.length));
  return rows.map((r) => `${r.where.padEnd(width)} → ${r.path}  (${r.why})`).join('\n');
}

const files = scannedFiles();
const all = files.flatMap((f) => mentions(f, fs.readFileSync(path.join(ROOT, f), 'utf8')));

test('the check reads the code, the scripts and the docs, and finds the paths they name', () => {
  for (const f of ['README.md', 'docs/design.md', 'workflows/index.ts', 'python', 'bin/lmp-pace'])
    expect(files.some((scanned) => scanned === f || scanned.startsWith(`${f}/`))).toBe(true);
  expect(all.length).toBeGreaterThan(200);
});

test('every path named in a comment, a string or a doc exists', () => {
  const problems = all.flatMap((m) => {
    const why = problemWith(m);
    return why ? [{ where: `${m.file}:${m.line}`, path: m.path, why }] : [];
  });
  expect(table(problems)).toBe('');
});

test('every allow-list entry is still needed', () => {
  const prefixesUsed = new Set(
    all.filter((m) => PLACEHOLDER.test(m.path)).map((m) => placeholderPrefix(m.path)),
  );
  expect(Object.keys(PLACEHOLDER_PREFIXES).filter((p) => !prefixesUsed.has(p))).toEqual([]);
  const stillNamed = (d: (typeof DELIBERATE)[number]) =>
    all.some((m) => m.file === d.file && m.path === d.path) && !exists(d.path);
  expect(DELIBERATE.filter((d) => !stillNamed(d))).toEqual([]);
});

test('a removed path is reported with its file and line, punctuation and module names understood', () => {
  // Built from parts, so that this file does not name them itself.
  const gone = ['src', 'no-such-folder', 'gone.ts'].join('/');
  const text = [
    `// see ${gone}, and the config in ${['src', 'config', 'env.ts'].join('/')}.`,
    `import x from '../${['src', 'config'].join('/')}'; // a relative import is not a project path`,
    `* the ${['src', 'config'].join('/')} folder and ${['workflows', 'patches'].join('/')} (a module)`,
  ].join('\n');
  const found = mentions('x.ts', text);
  expect(found.map((m) => `${m.line} ${m.path}`)).toEqual([
    `1 ${gone}`,
    '1 src/config/env.ts',
    '3 src/config',
    '3 workflows/patches',
  ]);
  expect(found.map(problemWith)).toEqual(['does not exist', undefined, undefined, undefined]);
  expect(problemWith({ file: 'x.ts', line: 1, path: `${['lammps-plugin', 'x'].join('/')}-*.so` })).toBe(
    'a glob or placeholder outside PLACEHOLDER_PREFIXES',
  );
});
