/**
 * The scoreCandidates workflow's progress: a query for clients (the CLI) and the signal the scoring
 * activity sends every few seconds. A handful of numbers: it is stored in history.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';

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
export interface ScoringCounts {
  total: number;
  scored: number;
  reused: number;
  failed: number;
}

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
