/**
 * The input of the scoreCandidates workflow; its field names are a public contract (the CLI and parent
 * workflows send them). Validated at workflow start and by `mlip-train score` before it starts anything.
 */
import { z } from 'zod';

/** The top K are returned in workflow history: 1,000 ids is the most that stays small there. */
export const MAX_TOP_K = 1000;

export const ScoringRequestSchema = z.strictObject({
  potentialId: z
    .string()
    .min(1)
    .max(300)
    .describe('a registry id "name@vK" (one potential) or a committee id (every member of that committee)'),
  campaign: z.string().min(1).max(200).describe('campaign whose candidates are scored'),
  generation: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('only candidates of this generation (a document without one is generation 0); default all'),
  topK: z
    .number()
    .int()
    .min(0)
    .max(MAX_TOP_K)
    .default(10)
    .describe('how many of the highest-scoring candidate ids to return'),
});

export type ScoringRequestInput = z.input<typeof ScoringRequestSchema>;
export type ScoringRequest = z.infer<typeof ScoringRequestSchema>;

export type ParsedScoringRequest = { ok: true; request: ScoringRequest } | { ok: false; message: string };

/** Validates a request; the message names every bad field and what it must be. */
export function parseScoringRequest(input: unknown): ParsedScoringRequest {
  const parsed = ScoringRequestSchema.safeParse(input ?? {});
  if (parsed.success) return { ok: true, request: parsed.data };
  const problems = parsed.error.issues.map((issue) => {
    const field = issue.path.length ? issue.path.join('.') : '(request)';
    const missing = issue.code === 'invalid_type' && issue.input === undefined;
    return `${field}: ${missing ? 'required' : issue.message}`;
  });
  return { ok: false, message: `invalid scoring request: ${problems.join('; ')}` };
}
