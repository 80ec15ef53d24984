/**
 * Reading the `calculations` collection for a training set.
 *
 * Queries are built only from operators chosen here ($eq, $lte, $exists, $or) with the caller's values in
 * value position: a campaign named `{"$ne": null}` is compared as that literal string (and matches
 * nothing), it never becomes an operator. Everything used here works on MongoDB and on FerretDB 1.x.
 */
import type { Db, Document, FindCursor } from 'mongodb';
import type { Selection } from '../api';
import { COLLECTIONS } from '../db';

export interface CalculationQuery {
  collection: string;
  filter: Document;
  sort: Record<string, 1 | -1>;
  projection: Record<string, 0 | 1>;
}

/**
 * Documents fetched per round trip: large enough to amortize the server's per-batch cost (FerretDB's is
 * high), small enough to keep memory flat (about 10 MB of BSON for 2,000 structures of 50 atoms; MongoDB
 * caps a batch at 16 MiB in any case).
 */
export const FETCH_BATCH_SIZE = 2000;

function assertString(name: string, value: unknown): string {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string, got ${typeof value}`);
  return value;
}

/**
 * The completed calculations of a campaign that the selection's database-side filters admit, in `_id`
 * order (deterministic: the same data gives the same dataset). `elements`, `maxForce` and `limit` are
 * applied while streaming, because they depend on validated content.
 */
export function buildCalculationQuery(campaign: string, selection: Selection): CalculationQuery {
  const filter: Document = {
    campaign: { $eq: assertString('campaign', campaign) },
    status: { $eq: 'completed' },
  };
  if (selection.maxGeneration !== undefined) {
    const max = Number(selection.maxGeneration);
    if (!Number.isInteger(max)) throw new TypeError('maxGeneration must be an integer');
    // Contract v1: a missing generation means generation 0.
    filter.$or = [{ generation: { $lte: max } }, { generation: { $exists: false } }];
  }
  if (selection.dftSettingsHash !== undefined)
    filter['dft.settingsHash'] = { $eq: assertString('dftSettingsHash', selection.dftSettingsHash) };
  return {
    collection: COLLECTIONS.calculations,
    filter,
    sort: { _id: 1 },
    projection: { _id: 1, structure: 1, results: 1 },
  };
}

export function openCalculationCursor(
  db: Db,
  query: CalculationQuery,
  batchSize = FETCH_BATCH_SIZE,
): FindCursor<Document> {
  return db
    .collection(query.collection)
    .find(query.filter, { projection: query.projection, sort: query.sort, batchSize });
}

/** How many documents a campaign has per status (for telling a user why a selection came out empty). */
export async function countByStatus(db: Db, campaign: string): Promise<Record<string, number>> {
  const rows = await db
    .collection(COLLECTIONS.calculations)
    .aggregate<{ _id: unknown; n: number }>([
      { $match: { campaign: { $eq: assertString('campaign', campaign) } } },
      { $group: { _id: '$status', n: { $sum: 1 } } },
    ])
    .toArray();
  const counts: Record<string, number> = {};
  for (const row of rows.sort((a, b) => String(a._id).localeCompare(String(b._id))))
    counts[row._id === null || row._id === undefined ? '(none)' : String(row._id)] = row.n;
  return counts;
}
