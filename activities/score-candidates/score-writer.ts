/**
 * Scores written back to their candidate documents in bulk updates of MAX_UPDATES_PER_COMMAND, each
 * awaited before more answers are read: memory stays bounded, and MongoDB sets the pace.
 */
import type { AnyBulkWriteOperation, Collection, Document, Filter } from 'mongodb';
import type { CandidateScore } from '../../src/candidates';
import { MAX_UPDATES_PER_COMMAND } from '../../src/db';

export class ScoreWriter {
  private pending: AnyBulkWriteOperation<Document>[] = [];

  constructor(private readonly candidates: Collection<Document>) {}

  /** `rawId`: the candidate's _id as read, a string or an ObjectId, written back as it came. */
  async add(rawId: unknown, score: CandidateScore): Promise<void> {
    const filter = { _id: rawId } as Filter<Document>;
    this.pending.push({ updateOne: { filter, update: { $set: { score } } } });
    if (this.pending.length >= MAX_UPDATES_PER_COMMAND) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    await this.candidates.bulkWrite(batch, { ordered: false });
  }
}
