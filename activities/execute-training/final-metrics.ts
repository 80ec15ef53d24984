/**
 * The fit's final errors on its training and test sets, read by a Python helper from the predictions
 * pacemaker saved (train_pred.pckl.gzip, test_pred.pckl.gzip).
 */
import type { Context } from '@temporalio/activity';
import path from 'node:path';
import { FailureType, FinalMetricsSchema, nonRetryable, type FinalMetrics } from '../../src/api';
import { PYTHON_HELPERS_DIR } from '../../src/config';
import { readableTail } from '../../src/pacemaker';
import { runHelper } from './helper-run';
import type { FitSettings } from './settings';

export async function finalMetrics(ctx: Context, settings: FitSettings, ws: string): Promise<FinalMetrics> {
  const r = await runHelper(ctx, settings, {
    command: settings.python,
    args: [path.join(PYTHON_HELPERS_DIR, 'prediction_metrics.py'), ws],
    cwd: ws,
    what: 'the prediction metrics helper',
  });
  if (r.code !== 0) {
    throw nonRetryable(
      FailureType.InvalidTrainerOutput,
      `could not read pacemaker's predictions (train_pred.pckl.gzip): ${readableTail(r.stderrTail || `exit ${r.code ?? r.signal}`, 10, 1500)}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(r.stdoutTail);
  } catch {
    throw nonRetryable(
      FailureType.InvalidTrainerOutput,
      `the prediction metrics helper printed no JSON: ${readableTail(r.stdoutTail, 5, 500)}`,
    );
  }
  const parsed = FinalMetricsSchema.safeParse(json);
  if (!parsed.success) {
    throw nonRetryable(
      FailureType.InvalidTrainerOutput,
      `pacemaker's predictions gave unexpected metrics: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}
