/**
 * The manifest of a finished export, from its tally: counts and lists as the export found them, symbols
 * sorted so that the same data gives the same manifest.
 */
import path from 'node:path';
import type { CalculationQuery } from '../calculations';
import type { InvalidRecordsPolicy, Selection } from '../api';
import { CANONICAL_FORMAT } from './canonical-hash';
import { ManifestSchema, type Manifest } from './manifest';
import type { SelectionTally } from './selection-tally';

export interface ManifestInput {
  campaign: string;
  selection: Selection;
  invalidRecords: InvalidRecordsPolicy;
  query: CalculationQuery;
  tally: SelectionTally;
  extxyz: { path: string; bytes: number };
  pacemaker: Manifest['files']['pacemaker'];
}

const HASH_DEFINITION =
  `SHA-256 over "mlip-dataset-v1/${CANONICAL_FORMAT}\\n", then each kept structure's SHA-256 in file order ` +
  '(symbols, positions, cell, pbc, energy, forces, stress as float64 little-endian), then "count:<n>"';

function sortedBySymbol(m: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function buildManifest({
  campaign,
  selection,
  invalidRecords,
  query,
  tally,
  ...files
}: ManifestInput): Manifest {
  const { excludedByReason } = tally;
  return ManifestSchema.parse({
    format: 'mlip-training-set-manifest/v1',
    campaign,
    selection,
    invalidRecords,
    query: {
      collection: query.collection,
      filter: query.filter,
      sort: query.sort,
      projection: query.projection,
    },
    counts: {
      documentsRead: tally.documentsRead,
      structures: tally.structures,
      atoms: tally.atoms,
      atomsPerElement: sortedBySymbol(tally.atomsPerElement),
      structuresPerElement: sortedBySymbol(tally.structuresPerElement),
      excluded: excludedByReason.elements + excludedByReason.maxForce,
      excludedByReason,
      duplicates: tally.duplicates.length,
      skippedInvalid: tally.invalidCount,
    },
    elements: Object.keys(sortedBySymbol(tally.atomsPerElement)),
    excluded: tally.excluded,
    duplicates: tally.duplicates,
    skippedInvalid: tally.invalid,
    listsTruncated: tally.truncated,
    sha256: tally.hasher.hex(),
    hashDefinition: HASH_DEFINITION,
    files: {
      extxyz: { name: path.basename(files.extxyz.path), bytes: files.extxyz.bytes },
      pacemaker: files.pacemaker,
    },
  });
}
