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
 *
 * Its phases, in publish-potential/: the version's folder, staged and moved into place (stage-version.ts,
 * the figures it takes in figures.ts), then the registry document from the published copy
 * (registry-entry.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DatabaseHandle } from '../src/db';
import { findByPublishKey, highestVersion, insertPotential } from '../src/registry';
import type { PublishedPotential, PublishPotentialInput } from './publish-potential/contract';
import { pacemakerVersionOnce } from './publish-potential/pacemaker-version';
import {
  potentialRecord,
  publishedFiles,
  publishedPotential,
  publishedReferenceEnergies,
} from './publish-potential/registry-entry';
import { stageAndMove, versionMovedBefore } from './publish-potential/stage-version';

export type { PublishedPotential, PublishPotentialInput } from './publish-potential/contract';
export { MAX_FIGURE_BYTES, MAX_FIGURES, pacemakerFigures } from './publish-potential/figures';

export interface PublishDeps {
  database: DatabaseHandle;
  potentialsDir: string;
  pacemakerBin: string;
}

export function createPublishPotentialActivity(deps: PublishDeps) {
  const pacemakerVersion = pacemakerVersionOnce(deps.pacemakerBin);
  // Asked once when the worker starts, so that no publish waits for a Python start-up.
  void pacemakerVersion();

  async function publishPotential(input: PublishPotentialInput): Promise<PublishedPotential> {
    const db = await deps.database.db();
    const publishKey = `${input.workflowId}/${input.runId}`;
    const already = await findByPublishKey(db, publishKey);
    if (already) return publishedPotential(already);

    const nameDir = path.join(path.resolve(deps.potentialsDir), input.name);
    fs.mkdirSync(nameDir, { recursive: true });
    // A previous attempt may have moved the files into place and crashed before registering them.
    const target =
      versionMovedBefore(nameDir, publishKey) ??
      stageAndMove(input, nameDir, publishKey, await highestVersion(db, input.name));

    const { files, figures } = await publishedFiles(target.dir);
    const referenceEnergies = publishedReferenceEnergies(files.yace?.path);
    const record = potentialRecord(input, {
      target,
      publishKey,
      files,
      figures,
      referenceEnergies,
      pacemakerVersion: await pacemakerVersion(),
    });
    await insertPotential(db, record);
    return publishedPotential(record);
  }

  return { publishPotential };
}
