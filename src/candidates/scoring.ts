/**
 * The pure parts of scoring candidates: pacemaker's extrapolation-grade bands, a bounded top-K heap, the
 * committee-disagreement summary, the running tally a scoring run returns, and the JSON-lines protocol of
 * python/mlip_autopipe/helpers/score_candidates.py. Memory is bounded by K and a few counters, whatever the
 * number of candidates.
 */
import { z } from 'zod';
import type { BandCounts, GammaBand, RankBy, ScoredCandidate, ScoreFailure, ScoreTallySummary } from '../api';

/**
 * pacemaker's bands of the extrapolation grade gamma (python-ace 0.4: `PyACECalculator` flags structures
 * from gamma_lower_bound 1.1 and calls 5 its gamma_upper_bound; its active-learning documentation dumps
 * structures with max gamma > 5 for DFT and stops MD above 25). Every training environment has gamma <= 1
 * (up to MaxVol's tolerance, 1.01): gamma <= 1 interpolates the training data, 1 < gamma <= 5 is
 * extrapolation that is still reliable, gamma > 5 is unreliable. Bounds are inclusive from below.
 */
export const GAMMA_BANDS = {
  /** gamma <= 1 */
  interpolation: 1,
  /** 1 < gamma <= 5 */
  extrapolation: 5,
} as const;

export function gammaBand(gamma: number): GammaBand {
  if (gamma <= GAMMA_BANDS.interpolation) return 'interpolation';
  if (gamma <= GAMMA_BANDS.extrapolation) return 'extrapolation';
  return 'unreliable';
}

const rankValue = (c: ScoredCandidate, by: RankBy) => c[by] ?? -Infinity;

/** a ranks above b: larger value first, then smaller id (so ties rank the same way every run). */
function ranksAbove(a: ScoredCandidate, b: ScoredCandidate, by: RankBy): boolean {
  const va = rankValue(a, by);
  const vb = rankValue(b, by);
  return va > vb || (va === vb && a.id < b.id);
}

/**
 * The K highest-ranked candidates seen so far, in O(K) memory: a binary min-heap whose root is the lowest
 * of the K kept, so a newcomer costs one comparison unless it belongs in the top K (then O(log K)).
 */
export class TopK {
  private readonly heap: ScoredCandidate[] = [];

  constructor(
    readonly k: number,
    readonly by: RankBy,
  ) {
    if (!Number.isInteger(k) || k < 0) throw new RangeError(`k must be an integer >= 0, got ${k}`);
  }

  get size(): number {
    return this.heap.length;
  }

  offer(candidate: ScoredCandidate): void {
    if (this.k === 0) return;
    if (this.heap.length < this.k) {
      this.heap.push(candidate);
      this.siftUp(this.heap.length - 1);
    } else if (ranksAbove(candidate, this.heap[0]!, this.by)) {
      this.heap[0] = candidate;
      this.siftDown(0);
    }
  }

  /** The kept candidates, highest first. */
  sorted(): ScoredCandidate[] {
    return [...this.heap].sort((a, b) =>
      ranksAbove(a, b, this.by) ? -1 : ranksAbove(b, a, this.by) ? 1 : 0,
    );
  }

  private lower(i: number, j: number): boolean {
    return ranksAbove(this.heap[j]!, this.heap[i]!, this.by);
  }

  private swap(i: number, j: number) {
    [this.heap[i], this.heap[j]] = [this.heap[j]!, this.heap[i]!];
  }

  private siftUp(i: number) {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.lower(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(i: number) {
    const n = this.heap.length;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let lowest = i;
      if (left < n && this.lower(left, lowest)) lowest = left;
      if (right < n && this.lower(right, lowest)) lowest = right;
      if (lowest === i) return;
      this.swap(i, lowest);
      i = lowest;
    }
  }
}

/** Bin edges of the disagreement histogram, eV/Å: counts[i] holds values <= edges[i] (and > edges[i-1]). */
export const DISAGREEMENT_EDGES_EV_PER_A = [0.01, 0.05, 0.1, 0.2, 0.5, 1] as const;

/** At most this many failures are listed by id (all are counted). */
export const MAX_LISTED_FAILURES = 20;

/** Everything a scoring run returns, accumulated one candidate at a time. */
export class ScoreTally {
  private readonly top: TopK;
  private readonly bandCounts: BandCounts = { interpolation: 0, extrapolation: 0, unreliable: 0 };
  private readonly histogram = new Array<number>(DISAGREEMENT_EDGES_EV_PER_A.length + 1).fill(0);
  private disagreementCount = 0;
  private disagreementSum = 0;
  private disagreementMax = 0;
  private scored = 0;
  private reused = 0;
  private failedCount = 0;
  private readonly failures: ScoreFailure[] = [];

  constructor(
    readonly topK: number,
    readonly rankedBy: RankBy,
  ) {
    this.top = new TopK(topK, rankedBy);
  }

  add(candidate: ScoredCandidate, reused = false): void {
    this.scored += 1;
    if (reused) this.reused += 1;
    if (candidate.gammaMax !== null) this.bandCounts[gammaBand(candidate.gammaMax)] += 1;
    const d = candidate.committeeForceStd;
    if (d !== null) {
      this.disagreementCount += 1;
      this.disagreementSum += d;
      this.disagreementMax = Math.max(this.disagreementMax, d);
      const bin = DISAGREEMENT_EDGES_EV_PER_A.findIndex((edge) => d <= edge);
      this.histogram[bin === -1 ? DISAGREEMENT_EDGES_EV_PER_A.length : bin]! += 1;
    }
    this.top.offer(candidate);
  }

  fail(id: string, reason: string): void {
    this.failedCount += 1;
    if (this.failures.length < MAX_LISTED_FAILURES) this.failures.push({ id, reason });
  }

  get counts() {
    return { scored: this.scored, reused: this.reused, failed: this.failedCount };
  }

  summary(): ScoreTallySummary {
    return {
      scored: this.scored,
      reused: this.reused,
      failed: { count: this.failedCount, first: [...this.failures] },
      // Ranked by gamma exactly when there is an active set (see RankBy).
      bands: this.rankedBy === 'gammaMax' ? { ...this.bandCounts } : null,
      disagreement:
        this.disagreementCount > 0
          ? {
              count: this.disagreementCount,
              mean: this.disagreementSum / this.disagreementCount,
              max: this.disagreementMax,
              edges: [...DISAGREEMENT_EDGES_EV_PER_A],
              counts: [...this.histogram],
            }
          : null,
      rankedBy: this.rankedBy,
      top: this.top.sorted(),
    };
  }
}

// --- python/mlip_autopipe/helpers/score_candidates.py's JSON lines -----------------------------------------

const score = z.number().nonnegative().nullable();

export const ScorerLineSchema = z.union([
  z.strictObject({
    ready: z.strictObject({
      members: z.number().int().positive(),
      elements: z.array(z.string()),
      activeSets: z.number().int().min(0),
    }),
  }),
  z.strictObject({
    done: z.strictObject({
      scored: z.number().int().min(0),
      failed: z.number().int().min(0),
      peakRssKB: z.number().int().min(0),
    }),
  }),
  z.strictObject({ id: z.string(), gammaMax: score, committeeForceStd: score }),
  z.strictObject({ id: z.string().nullable(), error: z.string() }),
]);

export type ScorerLine = z.infer<typeof ScorerLineSchema>;

/** The scorer wrote something outside its protocol: a bug, never the data's fault. */
export class ScorerProtocolError extends Error {}

/** One line of the scorer's stdout → a typed record; anything else is a ScorerProtocolError. */
export function parseScorerLine(line: string): ScorerLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new ScorerProtocolError(`the scorer wrote a line that is not JSON: ${line.slice(0, 200)}`);
  }
  const parsed = ScorerLineSchema.safeParse(value);
  if (!parsed.success)
    throw new ScorerProtocolError(`the scorer wrote an unexpected record: ${line.slice(0, 200)}`);
  return parsed.data;
}
