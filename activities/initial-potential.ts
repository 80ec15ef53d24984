/**
 * lookupInitialPotential: the registry entry a warm start continues from (TrainingRequest.initialPotential)
 * → what generatePacemakerConfig needs about it (paths, elements, reference energies, its `ace` settings).
 * Runs on the training host, because it also proves that the parent's potential file is readable there:
 * the child's input.yaml points pacemaker at it. Fails fast, non-retryably, on an unknown id or a file
 * this host cannot read. The result is small: it goes into workflow history.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { type DatabaseHandle, classifyMongoError } from '../src/db';
import { potentialsCollection, type PotentialRecord } from '../src/registry';
import {
  FailureType,
  nonRetryable,
  parsePotentialRef,
  resolveTrainerParams,
  TrainerParamsError,
} from '../src/api';
import { parentReferenceEnergy, WarmStartError, type ParentPotential } from '../src/pacemaker';

export interface LookupInitialPotentialInput {
  /** Registry id "name@vK" (validated by the TrainingRequest schema). */
  initialPotential: string;
}

export interface InitialPotentialDeps {
  database: DatabaseHandle;
  /** This host's id, for the message when the parent's files are not here. */
  hostId: string;
}

const FIELD = { field: 'initialPotential' };

/** Elements of a pacemaker potential YAML: its single-species blocks ("speciesblock: Cu"). */
export function potentialElements(doc: unknown): string[] {
  const species = (doc as { species?: { speciesblock?: unknown }[] } | null)?.species ?? [];
  const singles = species
    .map((s) => String(s.speciesblock ?? '').trim())
    .filter((b) => b !== '' && !/\s/.test(b));
  return [...new Set(singles)].sort();
}

export function createInitialPotentialActivity(deps: InitialPotentialDeps) {
  return {
    async lookupInitialPotential(input: LookupInitialPotentialInput): Promise<ParentPotential> {
      const id = input.initialPotential;
      // The TrainingRequest schema has checked that the id is "name@vK".
      const name = parsePotentialRef(id)!.name;
      const { record, versions } = await findRecord(deps.database, id, name);
      if (!record) throw unknownPotential(id, name, versions);
      const { file, text } = await readParentFile(record, id, deps.hostId);
      return describeParent(record, id, file.path, text);
    },
  };
}

/** The registry document of `id`, or (when there is none) the versions registered under its name. */
async function findRecord(
  database: DatabaseHandle,
  id: string,
  name: string,
): Promise<{ record: PotentialRecord | null; versions: number[] }> {
  try {
    const collection = potentialsCollection(await database.db());
    const record = await collection.findOne({ _id: { $eq: id } });
    if (record) return { record, versions: [] };
    const others = await collection
      .find({ name: { $eq: name } })
      .project<{ version: number }>({ version: 1 })
      .toArray();
    return { record: null, versions: others.map((o) => o.version).sort((a, b) => a - b) };
  } catch (err) {
    throw classifyMongoError(err, `looking up initialPotential ${id}`);
  }
}

function unknownPotential(id: string, name: string, versions: number[]) {
  return nonRetryable(
    FailureType.InvalidTrainingRequest,
    `initialPotential: no potential ${id} in the registry (` +
      (versions.length > 0
        ? `${name} has version${versions.length > 1 ? 's' : ''} ${versions.map((v) => `v${v}`).join(', ')}`
        : `nothing is registered under the name ${name}`) +
      `); list them with: mlip-train potentials --name ${name}`,
    FIELD,
  );
}

type RegisteredFile = NonNullable<PotentialRecord['files']['potentialYaml']>;

/** The parent's pacemaker potential as this host reads it, proven to be the file that was registered. */
async function readParentFile(
  record: PotentialRecord,
  id: string,
  hostId: string,
): Promise<{ file: RegisteredFile; text: string }> {
  const file = record.files.potentialYaml;
  if (!file)
    throw nonRetryable(
      FailureType.InvalidTrainingRequest,
      `initialPotential: ${id} was registered without its pacemaker potential (output_potential.yaml), so a fit cannot start from it`,
      FIELD,
    );
  let text: string;
  try {
    text = await fs.readFile(file.path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw nonRetryable(
      FailureType.WorkerMisconfigured,
      `initialPotential ${id}: its potential ${file.path} cannot be read on training host ${hostId} ` +
        `(${code}). A warm start reads the parent's files where publishPotential put them: the potentials ` +
        `directory (MLIP_POTENTIALS_DIR) must be shared by every training host, or this training must run ` +
        `on the host that published ${id}`,
      { ...FIELD, path: file.path, hostId },
    );
  }
  const sha256 = createHash('sha256').update(text).digest('hex');
  if (sha256 !== file.sha256)
    throw nonRetryable(
      FailureType.InvalidTrainingRequest,
      `initialPotential: ${file.path} is not the file registered as ${id} (sha256 ${sha256.slice(0, 12)}…, ` +
        `registered ${file.sha256.slice(0, 12)}…): it was changed after publication; warm-start from an ` +
        `untouched version`,
      FIELD,
    );
  return { file, text };
}

/** What a warm start needs of its parent, from its registry document and its potential's text. */
function describeParent(
  record: PotentialRecord,
  id: string,
  potentialYamlPath: string,
  text: string,
): ParentPotential {
  let parentTrainer;
  try {
    parentTrainer = resolveTrainerParams(record.trainer);
  } catch (err) {
    if (!(err instanceof TrainerParamsError)) throw err;
    throw nonRetryable(
      FailureType.InvalidTrainingRequest,
      `initialPotential: the trainer parameters registered with ${id} cannot be read by this version (${err.message})`,
      FIELD,
    );
  }
  const doc = parseYaml(text) as { metadata?: Record<string, unknown> } | null;
  const elements = potentialElements(doc);
  if (elements.length === 0)
    throw nonRetryable(
      FailureType.InvalidTrainingRequest,
      `initialPotential: ${potentialYamlPath} (${id}) names no species: it is not a pacemaker potential`,
      FIELD,
    );
  const stored = doc?.metadata?.reference_energy;
  try {
    return {
      id,
      potentialYamlPath,
      elements,
      referenceEnergy: parentReferenceEnergy(
        id,
        typeof stored === 'string' ? stored : undefined,
        parentTrainer.referenceEnergy,
        elements,
      ),
      ace: parentTrainer.ace,
    };
  } catch (err) {
    if (err instanceof WarmStartError)
      throw nonRetryable(FailureType.InvalidTrainingRequest, err.message, FIELD);
    throw err;
  }
}
