/**
 * The activities' types, for workflow code (which imports only types from here): the three sets a
 * training host serves (activities/registry.ts builds them: local, the shared queue, the host's own
 * queue) and the inputs and results the workflows pass along.
 */
export type { HostQueueActivities, ResolveRequestActivities, SharedQueueActivities } from './registry';
export type { AcquiredWorkspace } from './workspace';
export type { BuildActiveSetResult } from './build-active-set';
export type { ExecuteTrainingResult } from './execute-training';
export type { ExploreStructuresInput } from './explore-structures';
export type { GeneratePacemakerConfigResult } from './generate-pacemaker-config';
