/**
 * TrainingRequest: the input of the trainPotential workflow. Its field names are a public contract
 * (users write them in `temporal workflow start --input` and parent workflows send them). Validated at
 * workflow start: a bad request fails the workflow at once with a message naming the field.
 * No connection strings or credentials belong here: workers read those from their environment.
 */
import { z } from 'zod';
import { POTENTIAL_ID_PATTERN } from './potential-id';
import { PathSafeNameSchema } from './names';
import { InvalidRecordsPolicySchema, SelectionSchema } from './selection';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** "90s", "30m", "72h", "7d" or a number of milliseconds → milliseconds. */
export const DurationSchema = z.union([
  z.number().int().positive(),
  z
    .string()
    .regex(/^\d+(\.\d+)?\s*(ms|s|m|h|d)$/, 'a duration like "90s", "30m", "72h" or "7d"')
    .transform((s) => {
      const [, value, unit] = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(s)!;
      return Math.round(Number(value) * UNIT_MS[unit as keyof typeof UNIT_MS]);
    }),
]);

export const TrainingLimitsSchema = z
  .strictObject({
    trainingTimeout: DurationSchema.prefault('72h').describe(
      'longest a fit may run (all resumed attempts together)',
    ),
    heartbeatTimeout: DurationSchema.prefault('2m').describe(
      'a fit whose worker stops reporting for this long is considered lost and is resumed',
    ),
    hostStartTimeout: DurationSchema.prefault('10m').describe(
      "how long a step waits for its host's worker before the training moves to another host",
    ),
    maxHostAttempts: z.number().int().min(1).max(10).default(3).describe('hosts to try before giving up'),
  })
  .prefault({});

export const TrainingRequestSchema = z
  .strictObject({
    campaign: z
      .string()
      .min(1)
      .max(200)
      .describe('campaign whose completed calculations make up the training set'),
    selection: SelectionSchema,
    invalidRecords: InvalidRecordsPolicySchema,
    trainer: z
      .record(z.string(), z.unknown())
      .default({})
      .describe('TrainerParams (partial; every field has a default) — see `mlip-train config --explain`'),
    potentialName: PathSafeNameSchema.optional().describe(
      'registry name of the potential (default: the campaign name)',
    ),
    initialPotential: z
      .string()
      .regex(POTENTIAL_ID_PATTERN, 'a registry id "name@vK", e.g. "si@v3" (see `mlip-train potentials`)')
      .optional()
      .describe(
        'warm start: continue from this published potential ("name@vK") instead of from zero; its basis is ' +
          'kept (or grown, when trainer.ace.functionsPerElement asks for more) and its reference energies are used',
      ),
    limits: TrainingLimitsSchema,
  })
  .superRefine((req, ctx) => {
    if (req.potentialName === undefined && !PathSafeNameSchema.safeParse(req.campaign).success) {
      ctx.addIssue({
        code: 'custom',
        path: ['potentialName'],
        message: `required because the campaign name "${req.campaign}" cannot be used as a directory name; give a potentialName of letters, digits, ".", "_" and "-"`,
      });
    }
  });

export type TrainingRequestInput = z.input<typeof TrainingRequestSchema>;
export type TrainingRequest = z.output<typeof TrainingRequestSchema>;

/** Parses a request; on failure returns one message naming every bad field. Pure. */
export function parseTrainingRequest(
  input: unknown,
): { ok: true; request: TrainingRequest } | { ok: false; message: string } {
  const parsed = TrainingRequestSchema.safeParse(input);
  if (parsed.success) return { ok: true, request: parsed.data };
  const lines = parsed.error.issues.flatMap((issue) => {
    const at = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys')
      return issue.keys.map((k) => `  ${at ? `${at}.` : ''}${k}: unknown field`);
    return [`  ${at || '(request)'}: ${issue.message}`];
  });
  return { ok: false, message: `invalid training request:\n${lines.join('\n')}` };
}
