/**
 * The potential an exploration runs MD with, as lookupPotential found it: one potential (not a
 * committee) with its B-basis file and active set (γ needs both), present on this host.
 */
import fs from 'node:fs';
import {
  type ExplorationRequest,
  FailureType,
  nonRetryable,
  type RegisteredMember,
  type RegisteredPotential,
} from '../../src/api';

export type ExploringMember = RegisteredMember & Required<Pick<RegisteredMember, 'potentialYaml' | 'asi'>>;

/** The member the MD runs with; throws InvalidExplorationRequest when the potential cannot explore here. */
export function exploringMember(
  request: ExplorationRequest,
  potential: RegisteredPotential,
  hostId: string,
): ExploringMember {
  const member = potential.members[0];
  if (potential.kind !== 'potential' || !member?.asi || !member.potentialYaml)
    throw nonRetryable(
      FailureType.InvalidExplorationRequest,
      `potentialId: ${request.potentialId} ${potential.kind === 'committee' ? 'is a committee: explore with one member' : 'has no active set (potential.asi), which the MD needs for γ'}`,
    );
  const missing = [member.potentialYaml, member.asi].filter((f) => !fs.existsSync(f));
  if (missing.length > 0)
    throw nonRetryable(
      FailureType.InvalidExplorationRequest,
      `potentialId: the files of ${request.potentialId} are not on host ${hostId} (missing: ${missing.join(', ')}); ` +
        'is MLIP_POTENTIALS_DIR the folder it was published to?',
    );
  return { ...member, potentialYaml: member.potentialYaml, asi: member.asi };
}
