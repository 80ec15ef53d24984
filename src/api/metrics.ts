import { z } from 'zod';

const ErrorsShape = {
  structures: z.number().int().positive(),
  atoms: z.number().int().positive(),
  rmseEnergyMeVPerAtom: z.number().nonnegative(),
  maeEnergyMeVPerAtom: z.number().nonnegative(),
  rmseForcesMeVPerA: z.number().nonnegative(),
  maeForcesMeVPerA: z.number().nonnegative(),
};

/** Errors of the fitted potential on one data split, from pacemaker's own predictions. */
export const SplitErrorsSchema = z.strictObject({
  ...ErrorsShape,
  /**
   * The same errors per composition class of the structures: an element's symbol (that element only),
   * "<El>-rich" (more than 55 % of the atoms that element) or "mixed"
   * (python/mlip_autopipe/common/composition.py, by python/mlip_autopipe/helpers/prediction_metrics.py).
   * Absent in results from before it was measured.
   */
  byComposition: z.record(z.string(), z.strictObject(ErrorsShape)).optional(),
  /** Force RMSE per element of the atoms, where their elements could be told. */
  byElement: z
    .record(
      z.string(),
      z.strictObject({ atoms: z.number().int().positive(), rmseForcesMeVPerA: z.number().nonnegative() }),
    )
    .optional(),
});

/** Final train/test errors (test is null when the request set no test split). */
export const FinalMetricsSchema = z.strictObject({
  train: SplitErrorsSchema,
  test: SplitErrorsSchema.nullable(),
});

export type SplitErrors = z.infer<typeof SplitErrorsSchema>;
export type FinalMetrics = z.infer<typeof FinalMetricsSchema>;
