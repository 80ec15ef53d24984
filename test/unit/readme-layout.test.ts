/**
 * The README's "Layout" map matches the tree: every path it names exists, and every top-level folder of the
 * repository and every folder or file directly in src/ has its line. A folder added or renamed without
 * updating the map fails here.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.join(__dirname, '..', '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');

function layoutMap(text: string): string[] {
  const section = text.slice(text.indexOf('## Layout'), text.indexOf('\n## ', text.indexOf('## Layout') + 1));
  const block = /```\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  // A line names a path when it starts at the left margin; indented lines continue the one above.
  return block
    .split('\n')
    .filter((line) => /^\S/.test(line))
    .map((line) => line.split(/\s+/)[0]!.replace(/\/$/, ''));
}

const named = layoutMap(readme);
const tracked = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' })
  .split('\n')
  .filter(Boolean);

test('the map names something', () => {
  expect(named.length).toBeGreaterThan(10);
});

test('every path the map names exists', () => {
  expect(named.filter((p) => !fs.existsSync(path.join(root, p)))).toEqual([]);
});

test('every top-level folder of the repository is on the map', () => {
  const folders = [...new Set(tracked.filter((f) => f.includes('/')).map((f) => f.split('/')[0]!))].filter(
    (f) => !f.startsWith('.'),
  );
  // src/ is drawn folder by folder (below), so any src/… line stands for it.
  const onMap = (f: string) => named.includes(f) || named.some((p) => p.startsWith(`${f}/`));
  expect(folders.filter((f) => !onMap(f))).toEqual([]);
});

test('every folder and file directly in src/ is on the map', () => {
  const entries = fs.readdirSync(path.join(root, 'src')).map((e) => `src/${e}`);
  expect(entries.filter((e) => !named.includes(e))).toEqual([]);
});

test('a folder missing from the map is reported (the check can fail)', () => {
  const without = readme.replace(/^src\/plot\/.*\n/m, '');
  expect(layoutMap(without)).not.toContain('src/plot');
});
