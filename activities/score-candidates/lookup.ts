/**
 * lookupScoringPotential's registry reads: a registry id ("name@vK"), else a committee id, whose members
 * are read in member order.
 */
import type { Db } from 'mongodb';
import { FailureType, nonRetryable, type ScoringPotential } from '../../src/api';
import { classifyMongoError } from '../../src/db';
import { potentialsCollection } from '../../src/registry';
import { scoringPotential } from './scoring-potential';

export async function findScoringPotential(db: Db, potentialId: string): Promise<ScoringPotential> {
  const registry = potentialsCollection(db);
  try {
    const single = await registry.findOne({ _id: { $eq: potentialId } });
    const records = single
      ? [single]
      : await registry
          .find({ 'committee.id': { $eq: potentialId } })
          .sort({ 'committee.member': 1 })
          .toArray();
    if (records.length === 0)
      throw nonRetryable(
        FailureType.InvalidScoringRequest,
        `potentialId: no potential '${potentialId}' and no committee with that id in the registry ` +
          `(database '${db.databaseName}'); list them with: mlip-train potentials`,
      );
    return scoringPotential(potentialId, records);
  } catch (err) {
    throw classifyMongoError(err, 'reading the potentials registry');
  }
}
