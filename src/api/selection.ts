import { z } from 'zod';

/**
 * Which completed calculations of a campaign make up the training set (part of TrainingRequest; the
 * field names are a public contract). `status: "completed"` is always implied.
 */
export const SelectionSchema = z
  .strictObject({
    maxGeneration: z.number().int().min(0).optional().describe('only calculations with generation <= this'),
    elements: z
      .array(z.string().min(1).max(3))
      .min(1)
      .optional()
      .describe('keep only structures whose elements are all in this list'),
    maxForce: z
      .number()
      .positive()
      .optional()
      .describe('eV/Å; structures with any force component magnitude above this are excluded (and counted)'),
    dftSettingsHash: z.string().min(1).optional().describe('only calculations with this dft.settingsHash'),
    limit: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('at most this many structures (after the filters, in a stable order)'),
  })
  .default({});

export type Selection = z.infer<typeof SelectionSchema>;

export const InvalidRecordsPolicySchema = z
  .enum(['fail', 'skip'])
  .default('fail')
  .describe(
    'what to do with calculation documents that break the contract: fail the training, or skip and report them',
  );

export type InvalidRecordsPolicy = z.infer<typeof InvalidRecordsPolicySchema>;
