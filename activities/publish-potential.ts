/**
 * publishPotential: copies the artefacts of a finished training into
 * MLIP_POTENTIALS_DIR/<name>/v<version>/ atomically (staged, then renamed) and registers the version in
 * the `potentials` collection. Retries are safe: a publish that already happened (files or document) is
 * found by its publish key and reused, never duplicated.
 *
 * pacemaker draws its own figures at the end of a fit: `report/{train,test}_*.png` (parity plots, error
 * distributions) and `{train,test}_ef-distributions.png` in the workspace root (the dataset's energies
 * and forces). They are published, under pacemaker's file names, in the version's `report/` and listed
 * in the registry document's `figures` array (file, path, sha256, bytes), not in `files`: those keys
 * are PUBLISHED_FILES names, and a figure's file name holds a '.' that a MongoDB key cannot. Figures are
 * optional: a fit that drew none publishes without them.
 */
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PUBLISH_KEY_FILE, PUBLISHED_FILES, TRAINER_FILES } from '../src/artefact-names';
import type { DatasetSummary } from '../src/api';
import type { DatabaseHandle } from '../src/db';
import {
  findByPublishKey,
  highestVersion,
  insertPotential,
  type PotentialRecord,
  type PublishedFigure,
} from '../src/registry';
import { potentialId, type FinalMetrics, type TrainerParams } from '../src/api';
import { writeLearningCurveFile } from '../src/plot';
import { runProcess } from '../src/process';
import { ReferenceEnergyError, yaceReferenceEnergies } from '../src/pacemaker';
import { activityContext } from './context';

/** Bounds on what is copied: at most this many figures (by name), each at most this large. */
export const MAX_FIGURES = 50;
export const MAX_FIGURE_BYTES = 20 * 1024 * 1024;
const ROOT_FIGURE = /^[A-Za-z0-9_-]+_ef-distributions\.png$/;

export interface PublishPotentialInput {
  workspaceDir: string;
  name: string;
  campaign: string;
  inputYamlPath: string;
  dataset: DatasetSummary;
  trainer: TrainerParams;
  training: {
    yacePath: string;
    potentialYamlPath: string;
    logPath: string;
    metrics: FinalMetrics;
    iterations: number;
    /** The fit stopped before its iteration budget: its test loss had stopped improving. */
    stoppedEarly?: boolean;
  };
  workflowId: string;
  runId: string;
  /** The .asi buildActiveSet wrote; omitted when there is none. */
  activeSetPath?: string;
  /** Set for members of a committee (trainCommittee): links the members' registry documents. */
  committee?: PotentialRecord['committee'];
  /** The registry id this training was warm-started from (TrainingRequest.initialPotential). */
  parent?: string;
  /** The host whose workspace this is (acquireWorkspace's answer): recorded so readers of the files go there. */
  host?: PotentialRecord['host'];
}

export interface PublishedPotential {
  potentialId: string;
  version: number;
  /** The published .yace. */
  potentialPath: string;
  /** The published active set (potential.asi), when there is one. */
  activeSetPath?: string;
  directory: string;
}

export interface PublishDeps {
  database: DatabaseHandle;
  potentialsDir: string;
  pacemakerBin: string;
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const byName = ([a]: [string, string], [b]: [string, string]) => (a < b ? -1 : a > b ? 1 : 0);
const isPng = (name: string) => name.endsWith('.png');

/** Regular files (never symlinks) in `dir` whose names pass `keep`; none when `dir` is absent. */
function regularFiles(dir: string, keep: (name: string) => boolean): Map<string, string> {
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

function versionDirs(nameDir: string): { version: number; dir: string }[] {
  if (!fs.existsSync(nameDir)) return [];
  return fs
    .readdirSync(nameDir)
    .map((entry) => ({ m: /^v(\d+)$/.exec(entry), dir: path.join(nameDir, entry) }))
    .filter((e): e is { m: RegExpExecArray; dir: string } => e.m !== null)
    .map((e) => ({ version: Number(e.m[1]), dir: e.dir }));
}

/**
 * The E0 of a published .yace (executeTraining folded the reference energies in), read from its first
 * lines; undefined when the file has no such header (a test double's stand-in).
 */
function publishedReferenceEnergies(yacePath: string | undefined): Record<string, number> | undefined {
  if (!yacePath) return undefined;
  const head = Buffer.alloc(8192);
  const fd = fs.openSync(yacePath, 'r');
  let read: number;
  try {
    read = fs.readSync(fd, head, 0, head.length, 0);
  } finally {
    fs.closeSync(fd);
  }
  try {
    return yaceReferenceEnergies(head.subarray(0, read).toString('utf8'));
  } catch (err) {
    if (err instanceof ReferenceEnergyError) return undefined;
    throw err;
  }
}

export function createPublishPotentialActivity(deps: PublishDeps) {
  let pacemakerVersion: Promise<string> | undefined;
  const getPacemakerVersion = () =>
    (pacemakerVersion ??= runProcess({
      command: deps.pacemakerBin,
      args: ['--version'],
      timeoutMs: 60_000,
    }).then(
      ({ code, stdoutTail: stdout }) =>
        code !== 0
          ? 'unknown'
          : (/version:\s*(\S+)/.exec(stdout)?.[1] ?? stdout.trim().split('\n')[0] ?? 'unknown'),
      () => 'unknown',
    ));
  // Asked once when the worker starts, so that no publish waits for a Python start-up.
  void getPacemakerVersion();

  async function publishPotential(input: PublishPotentialInput): Promise<PublishedPotential> {
    const db = await deps.database.db();
    const publishKey = `${input.workflowId}/${input.runId}`;
    const already = await findByPublishKey(db, publishKey);
    if (already) {
      return {
        potentialId: already._id,
        version: already.version,
        potentialPath: already.files.yace!.path,
        activeSetPath: already.files.asi?.path,
        directory: already.directory,
      };
    }

    const nameDir = path.join(path.resolve(deps.potentialsDir), input.name);
    fs.mkdirSync(nameDir, { recursive: true });
    // A previous attempt may have moved the files into place and crashed before registering them.
    let target = versionDirs(nameDir).find(
      (v) =>
        fs.existsSync(path.join(v.dir, PUBLISH_KEY_FILE)) &&
        fs.readFileSync(path.join(v.dir, PUBLISH_KEY_FILE), 'utf8') === publishKey,
    );
    if (!target)
      target = await stageAndMove(input, nameDir, publishKey, await highestVersion(db, input.name));

    const files: PotentialRecord['files'] = {};
    for (const [key, fileName] of Object.entries(PUBLISHED_FILES)) {
      const file = path.join(target.dir, fileName);
      if (!fs.existsSync(file)) continue; // fit-metrics.txt and potential.asi are optional
      files[key] = { path: file, sha256: await sha256File(file), bytes: fs.statSync(file).size };
    }
    // Listed from the published copy, so a retry after the move registers what is really there.
    const figures: PublishedFigure[] = [];
    for (const [name, file] of [...regularFiles(path.join(target.dir, TRAINER_FILES.figuresDir), isPng)].sort(
      byName,
    ))
      figures.push({
        file: `${TRAINER_FILES.figuresDir}/${name}`,
        path: file,
        sha256: await sha256File(file),
        bytes: fs.statSync(file).size,
      });
    const referenceEnergies = publishedReferenceEnergies(files.yace?.path);
    const record: PotentialRecord = {
      _id: potentialId(input.name, target.version),
      name: input.name,
      version: target.version,
      campaign: input.campaign,
      directory: target.dir,
      files,
      figures,
      dataset: {
        structures: input.dataset.structures,
        atoms: input.dataset.atoms,
        sha256: input.dataset.sha256,
        elements: input.dataset.elements,
      },
      trainer: input.trainer,
      metrics: input.training.metrics,
      iterations: input.training.iterations,
      ...(input.training.stoppedEarly ? { stoppedEarly: true } : {}),
      ...(referenceEnergies ? { referenceEnergies } : {}),
      pacemakerVersion: await getPacemakerVersion(),
      workflowId: input.workflowId,
      runId: input.runId,
      publishKey,
      ...(input.committee ? { committee: input.committee } : {}),
      ...(input.parent ? { parent: input.parent } : {}),
      ...(input.host ? { host: input.host } : {}),
      createdAt: new Date(),
    };
    await insertPotential(db, record);
    return {
      potentialId: record._id,
      version: record.version,
      potentialPath: files.yace!.path,
      activeSetPath: files.asi?.path,
      directory: target.dir,
    };
  }

  /** Copies the artefacts into a staging folder, then renames it to the next free version. */
  async function stageAndMove(
    input: PublishPotentialInput,
    nameDir: string,
    publishKey: string,
    registered: number,
  ) {
    const staging = path.join(nameDir, `.staging-${randomUUID()}`);
    fs.mkdirSync(staging);
    try {
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
    } catch (err) {
      fs.rmSync(staging, { recursive: true, force: true });
      throw err;
    }
  }

  return { publishPotential };
}
