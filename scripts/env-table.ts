/**
 * The environment table of docs/operations.md, made from EnvSchema (src/config/env.ts): each variable's
 * name, default and `.describe()` text are written once, in the schema, and the table is their copy.
 *
 *   npx tsx scripts/env-table.ts           prints the table
 *   npx tsx scripts/env-table.ts --write   rewrites it in docs/operations.md, between the marker comments
 *
 * test/unit/env-table.test.ts fails when the table and the schema disagree.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EnvSchema, PROJECT_ROOT } from '../src/config';

export const ENV_TABLE_FILE = 'docs/operations.md';
export const ENV_TABLE_START = '<!-- env-table:start -->';
export const ENV_TABLE_END = '<!-- env-table:end -->';
export const ENV_TABLE_HEADER = ['variable', 'default', 'meaning'] as const;
export const REGENERATE = 'npx tsx scripts/env-table.ts --write';

export interface EnvRow {
  variable: string;
  default: string;
  meaning: string;
}

/**
 * A default as a reader of the docs should see it: the checkout's own paths relative to it (the schema
 * resolves them against this machine's checkout), and the host name as words rather than this machine's.
 */
export function shownDefault(value: unknown): string {
  if (value === undefined) return 'none';
  if (value === os.hostname().replace(/[^A-Za-z0-9._-]/g, '-')) return 'the host name';
  const text = String(value);
  if (path.isAbsolute(text) && (text === PROJECT_ROOT || text.startsWith(PROJECT_ROOT + path.sep)))
    return `\`${path.relative(PROJECT_ROOT, text) || '.'}\``;
  return `\`${text}\``;
}

/** One row per EnvSchema variable, in the schema's order. */
export function envRows(): EnvRow[] {
  return Object.entries(EnvSchema.shape).map(([variable, schema]) => {
    const parsed = schema.safeParse(undefined);
    return {
      variable: `\`${variable}\``,
      default: parsed.success ? shownDefault(parsed.data) : 'required',
      meaning: (schema.description ?? '').replace(/\|/g, '\\|'),
    };
  });
}

/** The rows as a Markdown table, padded the way prettier pads one (so `prettier --check` passes). */
export function renderTable(rows: EnvRow[]): string {
  const cells = [[...ENV_TABLE_HEADER], ...rows.map((r) => [r.variable, r.default, r.meaning])];
  const widths = ENV_TABLE_HEADER.map((_, c) => Math.max(3, ...cells.map((row) => [...row[c]!].length)));
  const line = (row: string[]) => `| ${row.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`;
  return [line(cells[0]!), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join('\n');
}

/** Where the table goes: just after the start marker to the end marker; undefined without them. */
function tableSpan(text: string): { start: number; end: number } | undefined {
  const start = text.indexOf(ENV_TABLE_START);
  const end = text.indexOf(ENV_TABLE_END);
  if (start < 0 || end < start) return undefined;
  return { start: start + ENV_TABLE_START.length, end };
}

/** The text between the markers, or undefined when the file lacks them. */
export function tableBetweenMarkers(text: string): string | undefined {
  const span = tableSpan(text);
  return span && text.slice(span.start, span.end);
}

/** The rows of a table as written: cells trimmed, `\|` kept as written. */
export function parseTable(table: string): EnvRow[] {
  return table
    .split('\n')
    .filter((l) => l.trimStart().startsWith('|'))
    .slice(2)
    .map((l) => {
      const [variable = '', shown = '', meaning = ''] = l
        .replace(/\\\|/g, '\uE000')
        .split('|')
        .slice(1, -1)
        .map((c) => c.replace(/\uE000/g, '\\|').trim());
      return { variable, default: shown, meaning };
    });
}

function main(args: string[]): void {
  const table = renderTable(envRows());
  if (!args.includes('--write')) {
    console.log(table);
    return;
  }
  const file = path.join(PROJECT_ROOT, ENV_TABLE_FILE);
  const text = fs.readFileSync(file, 'utf8');
  const span = tableSpan(text);
  if (!span)
    throw new Error(
      `${ENV_TABLE_FILE} has no ${ENV_TABLE_START} … ${ENV_TABLE_END}: add them where the table goes`,
    );
  fs.writeFileSync(file, `${text.slice(0, span.start)}\n\n${table}\n\n${text.slice(span.end)}`);
  console.log(`${ENV_TABLE_FILE}: wrote the table of ${Object.keys(EnvSchema.shape).length} variables`);
}

if (require.main === module) main(process.argv.slice(2));
