/**
 * Reading the `candidates` collection by campaign and generation, as a cursor (100,000 candidates never
 * sit in memory at once).
 *
 * Like the calculations reader, the caller's values only ever stand in value position ($eq), so a campaign
 * named `{"$ne": null}` matches nothing. The order is `_id`: the same data gives the same ranking, and
 * ties in a score break the same way every time. Everything here works on MongoDB and FerretDB 1.x.
 */
import type { Db, Document, FindCursor } from 'mongodb';
import { COLLECTIONS } from '../db';

/**
 * Candidates per round trip: each is a few kB of BSON (32-64 atoms), so 500 keep a batch near 1-2 MB
 * while amortising the server's per-batch cost.
 */
export const CANDIDATE_BATCH_SIZE = 500;

export interface CandidateSelection {
  campaign: string;
  /** Only this generation; all generations when absent. A document without `generation` is generation 0. */
  generation?: number;
}

export function candidateFilter(selection: CandidateSelection): Document {
  if (typeof selection.campaign !== 'string') throw new TypeError('campaign must be a string');
  const filter: Document = { campaign: { $eq: selection.campaign } };
  const { generation } = selection;
  if (generation !== undefined) {
    if (!Number.isInteger(generation) || generation < 0)
      throw new TypeError('generation must be an integer >= 0');
    if (generation === 0) filter.$or = [{ generation: { $eq: 0 } }, { generation: { $exists: false } }];
    else filter.generation = { $eq: generation };
  }
  return filter;
}

export function countCandidates(db: Db, selection: CandidateSelection): Promise<number> {
  return db.collection(COLLECTIONS.candidates).countDocuments(candidateFilter(selection));
}

/** The selected candidates in `_id` order: `_id`, `structure` and any `score` (other fields are not read). */
export function openCandidateCursor(
  db: Db,
  selection: CandidateSelection,
  batchSize = CANDIDATE_BATCH_SIZE,
): FindCursor<Document> {
  return db.collection(COLLECTIONS.candidates).find(candidateFilter(selection), {
    projection: { _id: 1, campaign: 1, generation: 1, structure: 1, score: 1 },
    sort: { _id: 1 },
    batchSize,
  });
}
