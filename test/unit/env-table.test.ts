/**
 * The environment table lives once, in docs/operations.md, and is EnvSchema's copy: every variable of the
 * schema has a row and nothing else does, with the schema's default and its `.describe()` text. The table is
 * written by scripts/env-table.ts; a failure here says how to run it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EnvSchema, PROJECT_ROOT } from '../../src/config';
import {
  ENV_TABLE_END,
  ENV_TABLE_FILE,
  ENV_TABLE_START,
  REGENERATE,
  envRows,
  parseTable,
  renderTable,
  shownDefault,
  tableBetweenMarkers,
  type EnvRow,
} from '../../scripts/env-table';

/** What disagrees between the table as written and the schema's rows, one line each. */
function disagreements(written: EnvRow[], expected: EnvRow[]): string[] {
  const problems: string[] = [];
  const byName = new Map(written.map((r) => [r.variable, r]));
  for (const want of expected) {
    const got = byName.get(want.variable);
    if (!got) problems.push(`${want.variable} has no row`);
    else {
      if (got.default !== want.default)
        problems.push(`${want.variable}: default shown ${got.default}, EnvSchema's is ${want.default}`);
      if (got.meaning !== want.meaning)
        problems.push(`${want.variable}: meaning "${got.meaning}", EnvSchema describes "${want.meaning}"`);
    }
  }
  const names = new Set(expected.map((r) => r.variable));
  for (const got of written)
    if (!names.has(got.variable)) problems.push(`${got.variable} is not in EnvSchema`);
  if (problems.length === 0 && written.map((r) => r.variable).join() !== [...names].join())
    problems.push("the rows are not in EnvSchema's order");
  return problems;
}

const explain = (problems: string[]) =>
  problems.length === 0
    ? ''
    : `${ENV_TABLE_FILE}'s environment table disagrees with EnvSchema (src/config/env.ts):\n  ` +
      `${problems.join('\n  ')}\nRegenerate it: ${REGENERATE}`;

const docText = fs.readFileSync(path.join(PROJECT_ROOT, ENV_TABLE_FILE), 'utf8');

test('docs/operations.md holds the table between its markers', () => {
  expect(tableBetweenMarkers(docText)).toBeDefined();
});

test("the table has a row for every EnvSchema variable and no other, with the schema's defaults and descriptions", () => {
  const written = parseTable(tableBetweenMarkers(docText) ?? '');
  expect(explain(disagreements(written, envRows()))).toBe('');
});

test('every variable of the schema has a description to show', () => {
  const undescribed = Object.entries(EnvSchema.shape)
    .filter(([, schema]) => !schema.description)
    .map(([name]) => name);
  expect(undescribed).toEqual([]);
});

test("defaults that are this checkout's paths are shown relative to it, never as this machine's paths", () => {
  const cells = envRows().map((r) => r.default);
  expect(cells.filter((c) => c.includes(PROJECT_ROOT) || c.includes(os.homedir()))).toEqual([]);
  expect(cells).toContain('`.venv/bin/pacemaker`');
  expect(shownDefault(path.join(PROJECT_ROOT, '.mlip', 'work'))).toBe('`.mlip/work`');
  expect(shownDefault(os.hostname().replace(/[^A-Za-z0-9._-]/g, '-'))).toBe('the host name');
});

test('no other Markdown file repeats the table', () => {
  const header = /^\|\s*variable\s*\|\s*default\s*\|/m;
  const docs = ['README.md', ...fs.readdirSync(path.join(PROJECT_ROOT, 'docs')).map((f) => `docs/${f}`)]
    .filter((f) => f.endsWith('.md') && f !== ENV_TABLE_FILE)
    .filter((f) => header.test(fs.readFileSync(path.join(PROJECT_ROOT, f), 'utf8')));
  expect(docs).toEqual([]);
});

test('a table out of step with the schema is reported, with how to regenerate it', () => {
  const rows = envRows();
  const edited = rows
    .filter((r) => r.variable !== '`MLIP_PYTHON`')
    .map((r) =>
      r.variable === '`MLIP_DRAIN_SECONDS`'
        ? { ...r, default: '`30`' }
        : r.variable === '`MLIP_DB`'
          ? { ...r, meaning: 'the database' }
          : r,
    )
    .concat({ variable: '`MLIP_PYTHONPATH`', default: '`.venv/bin/python`', meaning: 'x' });
  const message = explain(disagreements(parseTable(renderTable(edited)), rows));
  expect(message).toMatch(/`MLIP_PYTHON` has no row/);
  expect(message).toMatch(/`MLIP_DRAIN_SECONDS`: default shown `30`, EnvSchema's is `60`/);
  expect(message).toMatch(/`MLIP_DB`: meaning "the database"/);
  expect(message).toMatch(/`MLIP_PYTHONPATH` is not in EnvSchema/);
  expect(message).toContain(`Regenerate it: ${REGENERATE}`);
  expect(tableBetweenMarkers(`${ENV_TABLE_START}\n`)).toBeUndefined();
  expect(tableBetweenMarkers(`${ENV_TABLE_START}\n${ENV_TABLE_END}`)).toBe('\n');
});
