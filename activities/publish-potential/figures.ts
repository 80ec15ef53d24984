/**
 * pacemaker's figures: which files of a workspace are published as figures, and the bounds on them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { TRAINER_FILES } from '../../src/artefact-names';

/** Bounds on what is copied: at most this many figures (by name), each at most this large. */
export const MAX_FIGURES = 50;
export const MAX_FIGURE_BYTES = 20 * 1024 * 1024;
const ROOT_FIGURE = /^[A-Za-z0-9_-]+_ef-distributions\.png$/;

export const byName = ([a]: [string, string], [b]: [string, string]) => (a < b ? -1 : a > b ? 1 : 0);
export const isPng = (name: string) => name.endsWith('.png');

/** Regular files (never symlinks) in `dir` whose names pass `keep`; none when `dir` is absent. */
export function regularFiles(dir: string, keep: (name: string) => boolean): Map<string, string> {
  const found = new Map<string, string>();
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return found;
    throw err;
  }
  for (const entry of entries) {
    if (!entry.isFile() || !keep(entry.name)) continue;
    const file = path.join(dir, entry.name);
    if (fs.lstatSync(file).size <= MAX_FIGURE_BYTES) found.set(entry.name, file);
  }
  return found;
}

/**
 * pacemaker's figures in a workspace, by file name: every `report/*.png` and the root-level
 * `*_ef-distributions.png` (report/ wins a name clash), sorted, at most MAX_FIGURES.
 */
export function pacemakerFigures(workspaceDir: string): [string, string][] {
  const figures = regularFiles(workspaceDir, (name) => ROOT_FIGURE.test(name));
  for (const [name, file] of regularFiles(path.join(workspaceDir, TRAINER_FILES.figuresDir), isPng))
    figures.set(name, file);
  return [...figures].sort(byName).slice(0, MAX_FIGURES);
}
