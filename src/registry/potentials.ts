/**
 * The `potentials` collection: one document per published potential version. `_id` is
 * "<name>@v<version>", so a version can only be registered once; `publishKey` (workflow id + run id)
 * lets a retried publish find what an earlier attempt already registered.
 */
import { CommitteeResampleSchema, DatasetSummarySchema, FinalMetricsSchema } from '../api';
import type { Db } from 'mongodb';
import { z } from 'zod';
import { COLLECTIONS } from '../db';

const PublishedFileSchema = z.strictObject({
  path: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int(),
});

/**
 * One of pacemaker's own figures (parity plots, error distributions), copied from the workspace's
 * `report/` (and its root `*_ef-distributions.png`) into the version's `report/`. `file` is the path
 * relative to the version directory, e.g. "report/train_E-dE-dist.png", keeping pacemaker's file name.
 */
const PublishedFigureSchema = z.strictObject({
  ...PublishedFileSchema.shape,
  file: z.string().regex(/^report\/[^/]+\.png$/),
});

export type PublishedFigure = z.infer<typeof PublishedFigureSchema>;

export const PotentialRecordSchema = z.strictObject({
  _id: z.string(),
  name: z.string(),
  version: z.number().int().positive(),
  campaign: z.string(),
  directory: z.string(),
  files: z.record(z.string(), PublishedFileSchema),
  /**
   * pacemaker's figures, sorted by `file`: an array rather than more `files` keys, because MongoDB keys
   * cannot hold the '.' of a file name. Empty when pacemaker drew none; absent in versions published
   * before figures were.
   */
  figures: z.array(PublishedFigureSchema).optional(),
  dataset: DatasetSummarySchema.pick({ structures: true, atoms: true, sha256: true, elements: true }),
  trainer: z.record(z.string(), z.unknown()),
  metrics: FinalMetricsSchema,
  iterations: z.number().int().min(0),
  /** The fit stopped at `iterations`, before its budget, because its test loss had stopped improving. */
  stoppedEarly: z.boolean().optional(),
  /**
   * eV per atom of each element in the .yace's E0 (the reference energies pacemaker subtracted from the
   * data): its energies are the data's total energies. Absent in versions published before they were
   * folded in: their .yace returns the total energy minus these per atom (`potentials --show` says how
   * much, from output_potential.yaml's metadata, and --absolute writes a copy that does not).
   */
  referenceEnergies: z.record(z.string(), z.number()).optional(),
  pacemakerVersion: z.string(),
  workflowId: z.string(),
  runId: z.string(),
  publishKey: z.string(),
  /** The potential this one was warm-started from (TrainingRequest.initialPotential), "name@vK". */
  parent: z.string().optional(),
  /**
   * The host that published the files (its MLIP_HOST_ID and task queue): work that reads them (scoring
   * candidates) runs there. Absent in versions published before it was recorded.
   */
  host: z.strictObject({ id: z.string(), taskQueue: z.string() }).optional(),
  /**
   * Committee members share `committee.id` (the trainCommittee workflow id). `resample` and `seed` say
   * what the member was fitted to (a bootstrap resample drawn with that seed); absent in members published
   * before resampling, which differed by seed only.
   */
  committee: z
    .strictObject({
      id: z.string(),
      member: z.number().int().min(0),
      size: z.number().int().min(1),
      resample: CommitteeResampleSchema.optional(),
      seed: z.number().int().min(0).optional(),
    })
    .optional(),
  createdAt: z.date(),
});

export type PotentialRecord = z.infer<typeof PotentialRecordSchema>;

export function potentialsCollection(db: Db) {
  return db.collection<PotentialRecord>(COLLECTIONS.potentials);
}

export async function findByPublishKey(db: Db, publishKey: string): Promise<PotentialRecord | null> {
  return potentialsCollection(db).findOne({ publishKey: { $eq: publishKey } });
}

export async function highestVersion(db: Db, name: string): Promise<number> {
  const [latest] = await potentialsCollection(db)
    .find({ name: { $eq: name } })
    .sort({ version: -1 })
    .limit(1)
    .project<{ version: number }>({ version: 1 })
    .toArray();
  return latest?.version ?? 0;
}

export async function insertPotential(db: Db, record: PotentialRecord): Promise<void> {
  await potentialsCollection(db).insertOne(PotentialRecordSchema.parse(record));
}
