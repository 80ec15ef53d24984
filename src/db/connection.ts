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
  /**
   * Structures an active-learning loop may send to DFT, scored by scoreCandidates (contract:
   * docs/data-contracts.md).
   */
  candidates: 'candidates',
} as const;

/**
 * The connection string as a log line or message may show it: the password (and a user-info part's
 * secret) replaced by `***`. TLS settings and credentials stay in the URI, where the driver reads them.
 */
export function redactMongoUri(uri: string): string {
  return uri.replace(/^(mongodb(?:\+srv)?:\/\/)([^@/]*)@/, (_, scheme: string, userInfo: string) => {
    const user = userInfo.split(':')[0];
    return `${scheme}${userInfo.includes(':') ? `${user}:***` : user}@`;
  });
}

/** An error of the driver with anything of the URI's password taken out of its message. */
function withoutPassword(err: unknown, uri: string): unknown {
  const password = /^mongodb(?:\+srv)?:\/\/[^:@/]*:([^@/]*)@/.exec(uri)?.[1];
  if (!password || !(err instanceof Error)) return err;
  for (const secret of new Set([password, decodeURIComponent(password)]))
    if (secret !== '') err.message = err.message.split(secret).join('***');
  return err;
}

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
        throw withoutPassword(err, uri);
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

/**
 * Update statements per bulk write. FerretDB 1.x holds a pooled SQLite connection per statement of an
 * update command until the command ends, and its pool has 100: a command of ~100 statements or more
 * deadlocks the server. 50 stays clear of that and still amortises the round trip.
 */
export const MAX_UPDATES_PER_COMMAND = 50;
