/**
 * manifest.json, written next to the dataset: what was selected and how, what was left out and why, and
 * the content hash. It is written last, so a workspace with a manifest has a complete dataset.
 */
import { z } from 'zod';
import { InvalidRecordsPolicySchema, SelectionSchema } from '../api';

const count = z.number().int().min(0);
const IdReason = z.strictObject({ id: z.string(), reason: z.string() });

/** At most this many ids are listed per category; the counts are always complete. */
export const MANIFEST_MAX_LISTED_IDS = 10_000;

export const ManifestSchema = z.strictObject({
  format: z.literal('mlip-training-set-manifest/v1'),
  campaign: z.string(),
  selection: SelectionSchema,
  invalidRecords: InvalidRecordsPolicySchema,
  /** The MongoDB query as run (filter, sort, projection), for reproducing the selection by hand. */
  query: z.strictObject({
    collection: z.string(),
    filter: z.record(z.string(), z.unknown()),
    sort: z.record(z.string(), z.number()),
    projection: z.record(z.string(), z.number()),
  }),
  counts: z.strictObject({
    documentsRead: count,
    structures: count,
    atoms: count,
    /** Atoms per chemical symbol, symbols sorted. */
    atomsPerElement: z.record(z.string(), count),
    /** Structures per chemical symbol present in them, symbols sorted. */
    structuresPerElement: z.record(z.string(), count),
    excluded: count,
    excludedByReason: z.strictObject({ elements: count, maxForce: count }),
    duplicates: count,
    skippedInvalid: count,
  }),
  elements: z.array(z.string()),
  /** Left out by the elements / maxForce filters. */
  excluded: z.array(IdReason),
  /** Identical to an earlier structure (kept once). */
  duplicates: z.array(z.strictObject({ id: z.string(), duplicateOf: z.string() })),
  /** Broke contract v1 and were skipped (invalidRecords: "skip"). */
  skippedInvalid: z.array(IdReason),
  /** True when a list above was cut at MANIFEST_MAX_LISTED_IDS entries. */
  listsTruncated: z.boolean(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  hashDefinition: z.string(),
  files: z.strictObject({
    extxyz: z.strictObject({ name: z.string(), bytes: count }),
    pacemaker: z.strictObject({ name: z.string(), bytes: count }).nullable(),
  }),
});

export type Manifest = z.infer<typeof ManifestSchema>;
