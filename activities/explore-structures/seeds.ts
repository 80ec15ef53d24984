/**
 * An exploration's seeds: the campaign's completed calculations, evenly spread in `_id` order, periodic
 * ones only (MD needs a box). The same request picks the same seeds on every attempt, so a retry plans
 * the same runs.
 */
import type { Db } from 'mongodb';
import { type ExplorationRequest, FailureType, nonRetryable } from '../../src/api';
import { decodeStructureDocument } from '../../src/calculations';
import { classifyMongoError, type DatabaseHandle } from '../../src/db';
import { countSeedCandidates, evenlySpacedIndices, openSeedCursor, type Seed } from '../../src/exploration';
import { openDatabase } from '../database';

/** The request's seeds; throws InvalidExplorationRequest when the campaign has none. */
export async function selectSeeds(database: DatabaseHandle, request: ExplorationRequest): Promise<Seed[]> {
  const db = await openDatabase(database);
  const seeds = await readSeeds(db, request).catch((err: unknown) => {
    throw classifyMongoError(err, 'reading the seed structures');
  });
  const { maxGeneration } = request.settings.seeds;
  if (seeds.length === 0)
    throw nonRetryable(
      FailureType.InvalidExplorationRequest,
      `campaign: '${request.campaign}' has no completed calculation with a periodic cell` +
        `${maxGeneration === undefined ? '' : ` up to generation ${maxGeneration}`}` +
        ' to start MD from',
    );
  return seeds;
}

async function readSeeds(db: Db, request: ExplorationRequest): Promise<Seed[]> {
  const { count, maxGeneration } = request.settings.seeds;
  const total = await countSeedCandidates(db, request.campaign, maxGeneration);
  const wanted = new Set(evenlySpacedIndices(total, count));
  const seeds: Seed[] = [];
  let owed = 0; // picks whose chosen document was not usable: the next usable one stands in
  let index = 0;
  const cursor = openSeedCursor(db, request.campaign, maxGeneration);
  try {
    for await (const doc of cursor) {
      if (wanted.has(index++)) owed++;
      if (owed === 0) continue;
      const decoded = decodeStructureDocument(doc);
      // Periodic in every direction (a box for LAMMPS); the contract's check already gave such a structure a cell.
      if (!decoded.ok || !decoded.structure.pbc.every(Boolean)) continue;
      seeds.push({ id: decoded.id, structure: decoded.structure });
      owed--;
      if (seeds.length === count) break;
    }
  } finally {
    await cursor.close().catch(() => undefined);
  }
  return seeds;
}
