/**
 * The seeds of an exploration in MongoDB: a campaign's completed calculations (of a generation or
 * earlier), in `_id` order. Only operators chosen here, with the caller's values in value position.
 */
import type { Db, Document, FindCursor } from 'mongodb';
import { COLLECTIONS } from '../db';

export function seedFilter(campaign: string, maxGeneration?: number): Document {
  if (typeof campaign !== 'string') throw new TypeError('campaign must be a string');
  const filter: Document = { campaign: { $eq: campaign }, status: { $eq: 'completed' } };
  if (maxGeneration !== undefined) {
    if (!Number.isInteger(maxGeneration)) throw new TypeError('maxGeneration must be an integer');
    // Contract v1: a missing generation means generation 0.
    filter.$or = [{ generation: { $lte: maxGeneration } }, { generation: { $exists: false } }];
  }
  return filter;
}

export function countSeedCandidates(db: Db, campaign: string, maxGeneration?: number): Promise<number> {
  return db.collection(COLLECTIONS.calculations).countDocuments(seedFilter(campaign, maxGeneration));
}

export function openSeedCursor(db: Db, campaign: string, maxGeneration?: number): FindCursor<Document> {
  return db.collection(COLLECTIONS.calculations).find(seedFilter(campaign, maxGeneration), {
    projection: { _id: 1, structure: 1 },
    sort: { _id: 1 },
    batchSize: 500,
  });
}
