/**
 * All activities of the package, and the split between the two task queues a training host serves:
 * the shared queue (acquireWorkspace: any host may take it) and the host's own queue (every step that
 * reads or writes the workspace). Workflow code imports only the types from here.
 */
import type { createBuildActiveSetActivity } from './build-active-set';
import type { createExecuteTrainingActivity } from './execute-training';
import type { createExploreStructuresActivity } from './explore-structures';
import type { createFetchTrainingDataActivity } from './fetch-training-data';
import type { createGeneratePacemakerConfigActivity } from './generate-pacemaker-config';
import type { createInitialPotentialActivity } from './initial-potential';
import type { createPublishPotentialActivity } from './publish-potential';
import type { createResolveRequestActivities } from './resolve-request';
import type { createScoreCandidatesActivities } from './score-candidates';
import type { createWorkspaceActivities } from './workspace';

type WorkspaceActivities = ReturnType<typeof createWorkspaceActivities>;

type ScoringActivities = ReturnType<typeof createScoreCandidatesActivities>;
type ExplorationActivities = ReturnType<typeof createExploreStructuresActivity>;
export type { AcquiredWorkspace } from './workspace';
export type { BuildActiveSetResult } from './build-active-set';
export type { ExecuteTrainingResult } from './execute-training';
export type { ExploreStructuresInput } from './explore-structures';
export type { GeneratePacemakerConfigResult } from './generate-pacemaker-config';

/** Local activities: run by the worker that runs the workflow (the shared queue). */
export type ResolveRequestActivities = ReturnType<typeof createResolveRequestActivities>;

/**
 * scoreCandidates and exploreStructures are also here: potentials published before hosts were recorded are
 * scored and explored by any host.
 */
export type SharedQueueActivities = Pick<WorkspaceActivities, 'acquireWorkspace'> &
  ScoringActivities &
  ExplorationActivities;

export type HostQueueActivities = WorkspaceActivities &
  ReturnType<typeof createFetchTrainingDataActivity> &
  ReturnType<typeof createGeneratePacemakerConfigActivity> &
  ReturnType<typeof createInitialPotentialActivity> &
  ReturnType<typeof createExecuteTrainingActivity> &
  ReturnType<typeof createBuildActiveSetActivity> &
  ReturnType<typeof createPublishPotentialActivity> &
  Pick<ScoringActivities, 'scoreCandidates'> &
  ExplorationActivities;
