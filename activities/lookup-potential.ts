/**
 * lookupPotential (shared queue): a registry id ("name@vK") or a committee id → the potential's files (a
 * committee's members, in member order), the host that holds them and what candidates are ranked by. What
 * scoreCandidates and exploreStructures run with, on that host. A potential that cannot serve (unknown,
 * a committee still training, no .yace, nothing to rank by) fails InvalidScoringRequest, which the
 * workflows give their own request's failure type.
 */
import type { Db } from 'mongodb';
import { FailureType, nonRetryable, type RegisteredMember, type RegisteredPotential } from '../src/api';
import { classifyMongoError, type DatabaseHandle } from '../src/db';
import { potentialsCollection, type PotentialRecord } from '../src/registry';
import { openDatabase } from './database';

export interface LookupPotentialDeps {
  database: DatabaseHandle;
}

export function createLookupPotentialActivity(deps: LookupPotentialDeps) {
  async function lookupPotential(input: { potentialId: string }): Promise<RegisteredPotential> {
    return findPotential(await openDatabase(deps.database), input.potentialId);
  }

  return { lookupPotential };
}

/** The registry's records of a potential id, else of a committee id. */
async function findPotential(db: Db, potentialId: string): Promise<RegisteredPotential> {
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
    return potentialFromRecords(potentialId, records);
  } catch (err) {
    throw classifyMongoError(err, 'reading the potentials registry');
  }
}

/** Registry documents → the potential they make up; throws InvalidScoringRequest. Pure. */
export function potentialFromRecords(id: string, records: PotentialRecord[]): RegisteredPotential {
  const first = records[0];
  if (!first) throw new Error('no records');
  const kind = records.length === 1 && first._id === id ? 'potential' : 'committee';
  if (kind === 'committee') {
    const size = first.committee?.size ?? records.length;
    if (records.length !== size)
      throw nonRetryable(
        FailureType.InvalidScoringRequest,
        `potentialId: committee '${id}' has ${records.length} of its ${size} members in the registry (is it still training?)`,
      );
  }
  const members = records.map(memberOf);
  const withActiveSet = members.some((m) => m.asi);
  if (!withActiveSet && members.length === 1)
    throw nonRetryable(
      FailureType.InvalidScoringRequest,
      `potentialId: ${id} has no active set (potential.asi: published before active sets were, or its ` +
        'training data was too small for one) and is a single potential, so there is nothing to rank candidates by. ' +
        'Train it again to get an active set, or score with a committee (its force disagreement).',
    );
  const hosts = new Set(records.map((r) => (r.host ? `${r.host.id}\u0000${r.host.taskQueue}` : '')));
  const host = hosts.size === 1 && first.host ? first.host : undefined;
  return {
    scoringId: id,
    kind,
    members,
    ...(host ? { host } : {}),
    elements: first.dataset.elements,
    rankedBy: withActiveSet ? 'gammaMax' : 'committeeForceStd',
  };
}

/** A published version's files: its .yace, and its B-basis potential with the active set when it has one. */
function memberOf(record: PotentialRecord): RegisteredMember {
  const yace = record.files.yace?.path;
  if (!yace)
    throw nonRetryable(
      FailureType.InvalidScoringRequest,
      `potentialId: registry entry ${record._id} lists no .yace file`,
    );
  return {
    potentialId: record._id,
    yace,
    ...(record.files.potentialYaml ? { potentialYaml: record.files.potentialYaml.path } : {}),
    ...(record.files.asi && record.files.potentialYaml ? { asi: record.files.asi.path } : {}),
  };
}
