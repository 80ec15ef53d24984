/**
 * The worker's MongoDB database as the activities open it: a server that cannot be reached is a
 * retryable DatabaseUnavailable, like any read that loses it.
 */
import type { Db } from 'mongodb';
import { classifyMongoError, type DatabaseHandle } from '../src/db';

export async function openDatabase(database: DatabaseHandle): Promise<Db> {
  return database.db().catch((err: unknown) => {
    throw classifyMongoError(err, 'connecting');
  });
}
