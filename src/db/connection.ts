/**
 * MongoDB access for workers and the CLI. The connection string comes from the worker's environment
 * (MONGODB_URI) and never from workflow input. One client per process, created lazily.
 */
import { MongoClient, type Db } from 'mongodb';

export const COLLECTIONS = {
  /** Input, written by the DFT factory (contract v1, docs/data-contracts.md). */
  calculations: 'calculations',
  /** The registry of published potentials, written by publishPotential. */
  potentials: 'potentials',
  /** Structures an active-learning loop may send to DFT, scored by scoreCandidates (contract in README). */
  candidates: 'candidates',
} as const;

export interface DatabaseHandle {
  db(): Promise<Db>;
  close(): Promise<void>;
}

/**
 * A lazily connected database. Timeouts are short so that an unreachable server surfaces as a
 * (retryable) activity failure within seconds instead of hanging until the activity times out.
 */
export function connectDatabase(uri: string, dbName: string): DatabaseHandle {
  let client: Promise<MongoClient> | undefined;
  return {
    async db() {
      client ??= MongoClient.connect(uri, {
        serverSelectionTimeoutMS: 5_000,
        connectTimeoutMS: 5_000,
        // FerretDB sorts a whole result before its first batch: a large campaign can take a minute or more
        // to answer. Activity heartbeat timeouts bound the wait; this only bounds a dead socket.
        socketTimeoutMS: 10 * 60_000,
      }).catch((err: unknown) => {
        client = undefined; // the next call tries again
        throw err;
      });
      return (await client).db(dbName);
    },
    async close() {
      const c = client;
      client = undefined;
      if (c) await (await c).close();
    },
  };
}
