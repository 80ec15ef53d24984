/**
 * The trainPotential workflow's query and signal, shared by the workflow, the executeTraining activity
 * (which reports fit progress) and clients (CLI, parent workflows).
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { TrainingProgress } from './progress';

/** Phase and latest metrics of a training. */
export const progressQuery = defineQuery<TrainingProgress>('progress');

/** Sent by executeTraining every so often while pacemaker fits (throttled: it is stored in history). */
export const fitProgressSignal = defineSignal<[TrainingProgress]>('fitProgress');
