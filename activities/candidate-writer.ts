/**
 * The one writer of the `candidates` collection: a scoring's scores and an exploration's frames go to
 * their documents in bulk updates of MAX_UPDATES_PER_COMMAND, each awaited before more is read (memory
 * stays bounded, and MongoDB sets the pace). Unordered: one update failing does not hold back the rest.
 */
import type { AnyBulkWriteOperation, Collection, Document, Filter } from 'mongodb';
import type { CandidateScore } from '../src/candidates';
import { MAX_UPDATES_PER_COMMAND } from '../src/db';

/** Of the documents `insertOnce` was given, those written and those already there. */
export interface InsertCounts {
  written: number;
  existing: number;
}

export class CandidateWriter {
  private pending: AnyBulkWriteOperation<Document>[] = [];
  private pendingInserts = 0;
  private inserts: InsertCounts = { written: 0, existing: 0 };

  constructor(private readonly candidates: Collection<Document>) {}

  /** `rawId`: the candidate's _id as read, a string or an ObjectId, written back as it came. */
  async setScore(rawId: unknown, score: CandidateScore): Promise<void> {
    await this.add({ updateOne: { filter: byId(rawId), update: { $set: { score } } } });
  }

  /** A new candidate, unless one with its `_id` is there already: then that one is kept as it is. */
  async insertOnce({ _id, ...doc }: { _id: string } & Document): Promise<void> {
    this.pendingInserts++;
    await this.add({ updateOne: { filter: byId(_id), update: { $setOnInsert: doc }, upsert: true } });
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    const inserts = this.pendingInserts;
    this.pending = [];
    this.pendingInserts = 0;
    const result = await this.candidates.bulkWrite(batch, { ordered: false });
    this.inserts.written += result.upsertedCount;
    this.inserts.existing += inserts - result.upsertedCount;
  }

  /** The insert counts of what has been flushed since the last call, and a fresh count from here. */
  takeInsertCounts(): InsertCounts {
    const counts = this.inserts;
    this.inserts = { written: 0, existing: 0 };
    return counts;
  }

  private async add(update: AnyBulkWriteOperation<Document>): Promise<void> {
    this.pending.push(update);
    if (this.pending.length >= MAX_UPDATES_PER_COMMAND) await this.flush();
  }
}

/** A filter on `_id` as it is: candidates' ids are strings or ObjectIds, whatever wrote them. */
function byId(id: unknown): Filter<Document> {
  return { _id: id } as Filter<Document>;
}
