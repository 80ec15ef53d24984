/**
 * The scoreCandidates workflow's progress: a query for clients (the CLI) and the signal the scoring
 * activity sends every SCORING_REPORT_INTERVAL_MS (its heartbeats carry the same counts every few seconds,
 * without history). A handful of numbers: the reports are stored in history.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import { z } from 'zod';

/**
 * At most one report of a scoring's counts per this interval: a 24-hour scoring (its longest) then adds
 * fewer than 600 events to its history.
 */
export const SCORING_REPORT_INTERVAL_MS = 10 * 60_000;

export const SCORING_PHASES = [
  'validating',
  'looking-up-potential',
  'scoring',
  'completed',
  'failed',
  'cancelled',
] as const;

export type ScoringPhase = (typeof SCORING_PHASES)[number];

/** How far a scoring run is: candidates selected, scored (reused included), reused, failed. */
export const ScoringCountsSchema = z.object({
  total: z.number().int().nonnegative(),
  scored: z.number().int().nonnegative(),
  reused: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
});
export type ScoringCounts = z.infer<typeof ScoringCountsSchema>;

export interface ScoringProgress extends Partial<ScoringCounts> {
  phase: ScoringPhase;
  /** The registry id or committee id being scored with. */
  potentialId?: string;
  /** The host the scoring runs on. */
  host?: string;
}

export const scoringProgressQuery = defineQuery<ScoringProgress>('progress');

/** Sent by the scoreCandidates activity (throttled). */
export const scoringCountsSignal = defineSignal<[ScoringCounts]>('scoringCounts');
