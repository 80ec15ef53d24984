import { z } from 'zod';

/** Errors of the fitted potential on one data split, from pacemaker's own predictions. */
export const SplitErrorsSchema = z.strictObject({
  structures: z.number().int().positive(),
  atoms: z.number().int().positive(),
  rmseEnergyMeVPerAtom: z.number().nonnegative(),
  maeEnergyMeVPerAtom: z.number().nonnegative(),
  rmseForcesMeVPerA: z.number().nonnegative(),
  maeForcesMeVPerA: z.number().nonnegative(),
});

/** Final train/test errors (test is null when the request set no test split). */
export const FinalMetricsSchema = z.strictObject({
  train: SplitErrorsSchema,
  test: SplitErrorsSchema.nullable(),
});

export type SplitErrors = z.infer<typeof SplitErrorsSchema>;
export type FinalMetrics = z.infer<typeof FinalMetricsSchema>;
