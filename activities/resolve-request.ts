/**
 * Local activities that resolve each workflow's input once per run (its rules: src/api/resolve-request.ts):
 * the answer is recorded in the workflow's history as a marker, so replays of a run use the request as it
 * was resolved when the run started, whatever the defaults and rules of the build that replays it. They run
 * on the worker that runs the workflow (the shared queue), in microseconds, and touch no I/O.
 */
import {
  resolveCommitteeInput,
  resolveExplorationRequest,
  resolveRoundInput,
  resolveScoringRequest,
  resolveTrainingRequest,
  type UncheckedCommitteeInput,
} from '../src/api';

export function createResolveRequestActivities() {
  return {
    async resolveTrainingRequest(input: unknown) {
      return resolveTrainingRequest(input);
    },
    async resolveCommitteeInput(input: UncheckedCommitteeInput) {
      return resolveCommitteeInput(input);
    },
    async resolveScoringRequest(input: unknown) {
      return resolveScoringRequest(input);
    },
    async resolveRoundInput(input: unknown) {
      return resolveRoundInput(input);
    },
    async resolveExplorationRequest(input: unknown) {
      return resolveExplorationRequest(input);
    },
  };
}
