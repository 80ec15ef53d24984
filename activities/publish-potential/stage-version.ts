/**
 * The version's folder: the artefacts copied into a staging folder, which is then renamed to the next free
 * version (atomic: a reader sees a whole version or none), or the folder a previous attempt already moved.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PUBLISH_KEY_FILE, PUBLISHED_FILES, TRAINER_FILES } from '../../src/artefact-names';
import { writeLearningCurveFile } from '../../src/plot';
import { activityContext } from '../context';
import type { PublishPotentialInput, VersionDir } from './contract';
import { pacemakerFigures } from './figures';

function versionDirs(nameDir: string): VersionDir[] {
  if (!fs.existsSync(nameDir)) return [];
  return fs
    .readdirSync(nameDir)
    .map((entry) => ({ m: /^v(\d+)$/.exec(entry), dir: path.join(nameDir, entry) }))
    .filter((e): e is { m: RegExpExecArray; dir: string } => e.m !== null)
    .map((e) => ({ version: Number(e.m[1]), dir: e.dir }));
}

/** The version a previous attempt moved into place with this publish key (then crashed before registering). */
export function versionMovedBefore(nameDir: string, publishKey: string): VersionDir | undefined {
  return versionDirs(nameDir).find(
    (v) =>
      fs.existsSync(path.join(v.dir, PUBLISH_KEY_FILE)) &&
      fs.readFileSync(path.join(v.dir, PUBLISH_KEY_FILE), 'utf8') === publishKey,
  );
}

/** Copies the artefacts into a staging folder, then renames it to the next free version. */
export function stageAndMove(
  input: PublishPotentialInput,
  nameDir: string,
  publishKey: string,
  registered: number,
): VersionDir {
  const staging = path.join(nameDir, `.staging-${randomUUID()}`);
  fs.mkdirSync(staging);
  try {
    stageArtefacts(input, staging, publishKey);
    return moveToNextVersion(staging, nameDir, registered);
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw err;
  }
}

function stageArtefacts(input: PublishPotentialInput, staging: string, publishKey: string): void {
  const copies: [string, string][] = [
    [input.training.yacePath, PUBLISHED_FILES.yace],
    [input.training.potentialYamlPath, PUBLISHED_FILES.potentialYaml],
    [input.inputYamlPath, PUBLISHED_FILES.inputYaml],
    [input.dataset.manifestPath, PUBLISHED_FILES.manifest],
    [input.training.logPath, PUBLISHED_FILES.log],
  ];
  if (input.activeSetPath) copies.push([input.activeSetPath, PUBLISHED_FILES.asi]);
  const curve = path.join(input.workspaceDir, TRAINER_FILES.fitMetrics);
  if (fs.existsSync(curve)) {
    copies.push([curve, PUBLISHED_FILES.fitMetrics]);
    const title = `${input.name}: learning curve (campaign ${input.campaign})`;
    const ctx = activityContext();
    writeLearningCurveFile(curve, path.join(staging, PUBLISHED_FILES.learningCurve), title, (message) =>
      ctx ? ctx.log.warn(message) : console.warn(message),
    );
  }
  const figures = pacemakerFigures(input.workspaceDir);
  if (figures.length > 0) fs.mkdirSync(path.join(staging, TRAINER_FILES.figuresDir));
  for (const [name, file] of figures) copies.push([file, path.join(TRAINER_FILES.figuresDir, name)]);
  for (const [from, to] of copies) fs.copyFileSync(from, path.join(staging, to));
  fs.writeFileSync(
    path.join(staging, PUBLISHED_FILES.metrics),
    JSON.stringify(
      {
        ...input.training.metrics,
        iterations: input.training.iterations,
        stoppedEarly: input.training.stoppedEarly === true,
      },
      null,
      2,
    ),
  );
  fs.writeFileSync(path.join(staging, PUBLISH_KEY_FILE), publishKey);
}

/** `registered`: the highest version the registry knows; a folder without a document counts as taken too. */
function moveToNextVersion(staging: string, nameDir: string, registered: number): VersionDir {
  let version = Math.max(registered, ...versionDirs(nameDir).map((v) => v.version), 0) + 1;
  for (;;) {
    const dir = path.join(nameDir, `v${version}`);
    try {
      fs.renameSync(staging, dir); // atomic; fails if another publish took this version first
      return { version, dir };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw err;
      version += 1;
    }
  }
}
