/**
 * The files a scoring reads of each member, and the failure of a host that does not hold them. Pure.
 */
import type { ApplicationFailure } from '@temporalio/common';
import { FailureType, nonRetryable, type RegisteredMember, type RegisteredPotential } from '../../src/api';

/** What the scorer reads of each member: its B-basis potential and active set when it has one, else its .yace. */
export function memberFiles(member: RegisteredMember): string[] {
  return member.asi && member.potentialYaml ? [member.potentialYaml, member.asi] : [member.yace];
}

/** The failure of a scoring sent to a host that lacks some of the potential's files. */
export function filesNotHere(
  potential: RegisteredPotential,
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
