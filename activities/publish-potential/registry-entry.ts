/**
 * The registry document of a published version: its files and figures as they are in the published copy
 * (so a retry after the move registers what is really there), and what the training tells about it.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PUBLISHED_FILES, TRAINER_FILES } from '../../src/artefact-names';
import { potentialId } from '../../src/api';
import { ReferenceEnergyError, yaceReferenceEnergies } from '../../src/pacemaker';
import type { PotentialRecord, PublishedFigure } from '../../src/registry';
import type { PublishedPotential, PublishPotentialInput, VersionDir } from './contract';
import { byName, isPng, regularFiles } from './figures';

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The published files (by PUBLISHED_FILES key) and figures in a version's folder, hashed. */
export async function publishedFiles(
  dir: string,
): Promise<{ files: PotentialRecord['files']; figures: PublishedFigure[] }> {
  const files: PotentialRecord['files'] = {};
  for (const [key, fileName] of Object.entries(PUBLISHED_FILES)) {
    const file = path.join(dir, fileName);
    if (!fs.existsSync(file)) continue; // fit-metrics.txt and potential.asi are optional
    files[key] = { path: file, sha256: await sha256File(file), bytes: fs.statSync(file).size };
  }
  const figures: PublishedFigure[] = [];
  for (const [name, file] of [...regularFiles(path.join(dir, TRAINER_FILES.figuresDir), isPng)].sort(byName))
    figures.push({
      file: `${TRAINER_FILES.figuresDir}/${name}`,
      path: file,
      sha256: await sha256File(file),
      bytes: fs.statSync(file).size,
    });
  return { files, figures };
}

/**
 * The E0 of a published .yace (executeTraining folded the reference energies in), read from its first
 * lines; undefined when the file has no such header (a test double's stand-in).
 */
export function publishedReferenceEnergies(yacePath: string | undefined): Record<string, number> | undefined {
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

export interface PublishedVersion extends Awaited<ReturnType<typeof publishedFiles>> {
  target: VersionDir;
  publishKey: string;
  referenceEnergies: Record<string, number> | undefined;
  pacemakerVersion: string;
}

export function potentialRecord(input: PublishPotentialInput, published: PublishedVersion): PotentialRecord {
  const { target, files, figures, referenceEnergies } = published;
  return {
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
    pacemakerVersion: published.pacemakerVersion,
    workflowId: input.workflowId,
    runId: input.runId,
    publishKey: published.publishKey,
    ...(input.committee ? { committee: input.committee } : {}),
    ...(input.parent ? { parent: input.parent } : {}),
    ...(input.host ? { host: input.host } : {}),
    createdAt: new Date(),
  };
}

/** The activity's answer for a registered version (this attempt's or an earlier one's). */
export function publishedPotential(record: PotentialRecord): PublishedPotential {
  return {
    potentialId: record._id,
    version: record.version,
    potentialPath: record.files.yace!.path,
    activeSetPath: record.files.asi?.path,
    directory: record.directory,
  };
}
