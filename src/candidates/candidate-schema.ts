/**
 * The `candidates` collection (contract v1, docs/data-contracts.md): structures an active-learning loop may send to
 * DFT, written by the exploration stage (or `mlip-train seed-demo --candidates`) and scored here.
 *
 *   { _id, campaign, generation (int >= 0, default 0), structure (the calculations contract's),
 *     score?: { potentialId, gammaMax, committeeForceStd, scoredAt } }
 *
 * `structure` is validated by the calculations contract's own schema (StructureSchema + structureIssues),
 * so a structure that trains also scores, and the other way round. Other fields are left alone.
 */
import { z } from 'zod';
import {
  documentId,
  documentIssues,
  StructureSchema,
  structureIssues,
  type Structure,
} from '../calculations';

/**
 * What scoreCandidates writes back to each candidate it scored.
 * - potentialId: the registry id ("name@vK") of the single potential, or the committee id.
 * - gammaMax: the largest extrapolation grade over the structure's atoms (pacemaker's bands: <= 1
 *   interpolation, 1-5 reliable extrapolation, > 5 unreliable); null when the potential has no active set.
 * - committeeForceStd: eV/Å, the largest over the atoms of the members' force disagreement (the RMS over
 *   x, y, z of the members' standard deviation); null for a single potential.
 */
export const CandidateScoreSchema = z.strictObject({
  potentialId: z.string().min(1),
  gammaMax: z.number().nonnegative().nullable(),
  committeeForceStd: z.number().nonnegative().nullable(),
  scoredAt: z.date(),
});

export type CandidateScore = z.infer<typeof CandidateScoreSchema>;

export const CandidateDocumentSchema = z
  .looseObject({
    _id: z.unknown(),
    campaign: z.string().min(1),
    generation: z.number().int().min(0).optional(),
    structure: StructureSchema,
    // A score that breaks the contract is not a reason to refuse the structure: it is scored again.
    score: z.unknown().optional(),
  })
  .superRefine((doc, ctx) => structureIssues(doc.structure, ctx));

export type CandidateDocument = z.infer<typeof CandidateDocumentSchema>;

/** A candidate ready to score: its id as text, its validated structure, and any score it already has. */
export interface CandidateRecord {
  id: string;
  structure: Structure;
  /** Present when the document holds a score that follows the contract (any potential's). */
  score?: CandidateScore;
}

export type CandidateDecodeResult =
  { ok: true; record: CandidateRecord } | { ok: false; id: string; reason: string };

/** Validates one candidate document; never throws on bad data (it says why instead). */
export function decodeCandidate(doc: unknown): CandidateDecodeResult {
  const id = documentId((doc as { _id?: unknown } | null)?._id);
  const parsed = CandidateDocumentSchema.safeParse(doc);
  if (!parsed.success) {
    return { ok: false, id, reason: documentIssues(parsed.error.issues) };
  }
  const score = CandidateScoreSchema.safeParse(parsed.data.score);
  return {
    ok: true,
    record: { id, structure: parsed.data.structure, ...(score.success ? { score: score.data } : {}) },
  };
}
