/**
 * The repository map ("Layout" in docs/design.md; the README links to it) matches the tree: every path it
 * names exists, and every top-level folder of the repository and every folder or file directly in src/ has
 * its line. A folder added, moved or renamed without updating the map fails here.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.join(__dirname, '..', '..');
const MAP_FILE = 'docs/design.md';
const doc = fs.readFileSync(path.join(root, MAP_FILE), 'utf8');

function layoutMap(text: string): string[] {
  const start = text.indexOf('## Layout');
  const next = text.indexOf('\n## ', start + 1);
  const section = text.slice(start, next < 0 ? undefined : next);
  const block = /```\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  // A line names a path when it starts at the left margin; indented lines continue the one above.
  return block
    .split('\n')
    .filter((line) => /^\S/.test(line))
    .map((line) => line.split(/\s+/)[0]!.replace(/\/$/, ''));
}

const named = layoutMap(doc);
const tracked = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' })
  .split('\n')
  .filter(Boolean);

test('the map names something', () => {
  expect(named.length).toBeGreaterThan(10);
});

test('every path the map names exists', () => {
  const missing = named.filter((p) => !fs.existsSync(path.join(root, p)));
  expect(missing.map((p) => `${MAP_FILE} (Layout) names ${p}, which does not exist`)).toEqual([]);
});

test('every top-level folder of the repository is on the map', () => {
  const folders = [...new Set(tracked.filter((f) => f.includes('/')).map((f) => f.split('/')[0]!))].filter(
    (f) => !f.startsWith('.'),
  );
  // src/ is drawn folder by folder (below), so any src/… line stands for it.
  const onMap = (f: string) => named.includes(f) || named.some((p) => p.startsWith(`${f}/`));
  expect(folders.filter((f) => !onMap(f)).map((f) => `${f}/ has no line in ${MAP_FILE} (Layout)`)).toEqual(
    [],
  );
});

test('every folder and file directly in src/ is on the map', () => {
  const entries = fs.readdirSync(path.join(root, 'src')).map((e) => `src/${e}`);
  expect(
    entries.filter((e) => !named.includes(e)).map((e) => `${e} has no line in ${MAP_FILE} (Layout)`),
  ).toEqual([]);
});

test('a folder missing from the map is reported (the check can fail)', () => {
  const without = doc.replace(/^src\/plot\/.*\n/m, '');
  expect(layoutMap(without)).not.toContain('src/plot');
});
