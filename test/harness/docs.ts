/**
 * The project's Markdown (README.md and docs/*.md) and its fenced blocks: what the docs test checks and
 * what the e2e tests run (the LAMMPS inputs).
 */
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/config/paths';

export interface Doc {
  file: string;
  text: string;
}

export interface Block {
  file: string;
  line: number;
  lang: string;
  code: string;
  /** The nearest heading above the block. */
  heading: string;
}

/** README.md, then docs/*.md in name order, as paths relative to the checkout. */
export function loadDocs(): Doc[] {
  const docs = fs
    .readdirSync(path.join(PROJECT_ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`);
  return ['README.md', ...docs].map((file) => ({
    file,
    text: fs.readFileSync(path.join(PROJECT_ROOT, file), 'utf8'),
  }));
}

/** A document's fenced blocks, in order; `lang` is '' for a block without a language tag. */
export function fencedBlocks(doc: Doc): Block[] {
  const blocks: Block[] = [];
  const lines = doc.text.split('\n');
  let heading = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^#{1,6} /.test(line)) heading = line.replace(/^#+ /, '');
    const open = /^```(\w*)\s*$/.exec(line);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    blocks.push({ file: doc.file, line: start + 1, lang: open[1]!, code: body.join('\n'), heading });
  }
  return blocks;
}
