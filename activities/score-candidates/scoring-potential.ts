/**
 * What a scoring scores with: registry documents → the members' files, the host that holds them and what
 * the candidates are ranked by; and whether this host holds those files. Pure.
 */
import type { ApplicationFailure } from '@temporalio/common';
import { FailureType, nonRetryable, type ScoringMember, type ScoringPotential } from '../../src/api';
import type { PotentialRecord } from '../../src/registry';

/** Registry documents → what to score with; throws InvalidScoringRequest. */
export function scoringPotential(id: string, records: PotentialRecord[]): ScoringPotential {
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
  const members = records.map((r): ScoringMember => {
    const yace = r.files.yace?.path;
    if (!yace)
      throw nonRetryable(
        FailureType.InvalidScoringRequest,
        `potentialId: registry entry ${r._id} lists no .yace file`,
      );
    return {
      potentialId: r._id,
      yace,
      ...(r.files.potentialYaml ? { potentialYaml: r.files.potentialYaml.path } : {}),
      ...(r.files.asi && r.files.potentialYaml ? { asi: r.files.asi.path } : {}),
    };
  });
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

/** What the scorer reads of each member: its B-basis potential and active set when it has one, else its .yace. */
export function memberFiles(member: ScoringMember): string[] {
  return member.asi && member.potentialYaml ? [member.potentialYaml, member.asi] : [member.yace];
}

/** The failure of a scoring sent to a host that lacks some of the potential's files. */
export function filesNotHere(
  potential: ScoringPotential,
  hostId: string,
  missing: string[],
): ApplicationFailure {
  return nonRetryable(
    FailureType.InvalidScoringRequest,
    `potentialId: the files of ${potential.scoringId} are not on host ${hostId} ` +
      `(missing: ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''}); ` +
      (potential.host
        ? `they were published on host ${potential.host.id}: is MLIP_POTENTIALS_DIR the same folder here?`
        : 'its registry entry predates recording the host: run scoring on a worker whose MLIP_POTENTIALS_DIR holds them'),
  );
}
