import { z } from 'zod';

/**
 * What fetchTrainingData returns: paths, counts and a hash — small enough for workflow history.
 * The full details (per-element counts, excluded ids with reasons, the query) are in manifest.json.
 */
export const DatasetSummarySchema = z.strictObject({
  /** Portable dataset (ASE extended XYZ), in the workspace. */
  extxyzPath: z.string(),
  /** pacemaker's dataset (pandas pickle, gzip), in the workspace. */
  pacemakerDatasetPath: z.string(),
  /** manifest.json, in the workspace. */
  manifestPath: z.string(),
  structures: z.number().int().positive(),
  atoms: z.number().int().positive(),
  /** Chemical symbols present, sorted. */
  elements: z.array(z.string()).min(1),
  /** SHA-256 (hex) over the canonical content of the selected structures: same data, same hash. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** Structures left out by maxForce / elements filters. */
  excluded: z.number().int().min(0),
  /** Identical structures kept once. */
  duplicates: z.number().int().min(0),
  /** Invalid documents skipped under invalidRecords: "skip". */
  skippedInvalid: z.number().int().min(0),
});

export type DatasetSummary = z.infer<typeof DatasetSummarySchema>;
