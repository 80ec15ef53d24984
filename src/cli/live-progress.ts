/**
 * Progress as the CLI shows it. A workflow's `progress` query tells its story (phase, host steps, the last
 * checkpoint it was told of); the live numbers of a long step (a fit, a scoring) are in that activity's
 * latest heartbeat, which Temporal keeps beside the run (describe → pending activities; the Web UI shows
 * it there too) and never writes to history. The CLI reads both and shows the newer.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { decodeArrayFromPayloads } from '@temporalio/common/lib/internal-non-workflow';
import type { z } from 'zod';
import {
  ScoringCountsSchema,
  scoringProgressQuery,
  type ScoringProgress,
  FIT_PHASES,
  TrainingProgressSchema,
  type TrainingProgress,
  progressQuery,
} from '../api';

/**
 * The workflow's answer and the fit's heartbeat, merged: while the fit runs, the further along of the two
 * (a heartbeat reaches the server up to a couple of seconds late, so just after a phase report the query
 * can be ahead of it). Pure.
 */
export function mergeProgress(
  story: TrainingProgress | undefined,
  live: TrainingProgress | undefined,
): TrainingProgress | undefined {
  if (!live) return story;
  if (!story) return live;
  if (!FIT_PHASES.includes(story.phase)) return story;
  return advance(live) >= advance(story) ? { ...story, ...live } : story;
}

/** How far a fit is: its phase first, then the iterations done over all its runs. */
function advance(p: TrainingProgress): number {
  const iteration = p.latest ? (p.iterationsBefore ?? 0) + p.latest.iteration : -1;
  return FIT_PHASES.indexOf(p.phase) * 1e9 + iteration;
}

/** Each source may be unavailable (no worker answers queries yet, no fit running): undefined, never a throw. */
export async function readTrainingProgress(
  handle: WorkflowHandle,
  timeoutMs = 5_000,
): Promise<TrainingProgress | undefined> {
  const [story, live] = await Promise.all([
    queryProgress(handle, timeoutMs),
    latestHeartbeat(handle, 'executeTraining', TrainingProgressSchema, timeoutMs),
  ]);
  return mergeProgress(story, live);
}

/** A scoring's progress: its query, with the counts of the running scoreCandidates activity's heartbeat. */
export async function readScoringProgress(
  handle: WorkflowHandle,
  timeoutMs = 5_000,
): Promise<ScoringProgress | undefined> {
  const [story, live] = await Promise.all([
    handle.client
      .withDeadline(Date.now() + timeoutMs, () => handle.query(scoringProgressQuery))
      .catch(() => undefined),
    latestHeartbeat(handle, 'scoreCandidates', ScoringCountsSchema, timeoutMs),
  ]);
  return story?.phase === 'scoring' && live ? { ...story, ...live } : story;
}

/**
 * The progress query, or undefined when it cannot be answered now (no worker yet, closing). The gRPC
 * deadline ends the call and its retries, so nothing outlives the command.
 */
export async function queryProgress(
  handle: WorkflowHandle,
  timeoutMs = 5_000,
): Promise<TrainingProgress | undefined> {
  try {
    return await handle.client.withDeadline(Date.now() + timeoutMs, () => handle.query(progressQuery));
  } catch {
    return undefined;
  }
}

/** The latest heartbeat of a running activity of this type, validated (it crosses a process boundary). */
export async function latestHeartbeat<S extends z.ZodType>(
  handle: WorkflowHandle,
  activityType: string,
  schema: S,
  timeoutMs = 5_000,
): Promise<z.infer<S> | undefined> {
  try {
    const description = await handle.client.withDeadline(Date.now() + timeoutMs, () => handle.describe());
    const pending = description.raw.pendingActivities?.find((a) => a.activityType?.name === activityType);
    const payloads = pending?.heartbeatDetails?.payloads;
    if (!payloads?.length) return undefined;
    const [details] = await decodeArrayFromPayloads(handle.client.options.loadedDataConverter, payloads);
    const parsed = schema.safeParse(details);
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
