/**
 * Each workflow's input, validated and with its defaults filled in, once per run. The workflows call these
 * through a local activity (activities/resolve-request.ts), so the resolved request is recorded in history:
 * a later release that changes a default or a validation rule cannot change what an in-flight run replays.
 * Pure functions; a bad input is an answer ({ok: false}), not an exception, so the workflow fails with the
 * ApplicationFailure type callers match on (not an ActivityFailure around it).
 */
import { FailureType } from './failures';
import type { Resolution } from './resolution';
import { parseScoringRequest, type ScoringRequest } from './scoring-request';
import { resolveTrainerParams, TrainerParamsError } from './trainer-params';
import { ActiveLearningRoundInputSchema, type ActiveLearningRound } from './active-learning';
import { CommitteeSizeSchema } from './committee';
import { parseTrainingRequest, type TrainingRequest } from './training-request';

/**
 * The longest fit a training may ask for. A training's history holds a fixed number of events per step
 * plus a few per checkpoint report (executeTraining reports one every CHECKPOINT_REPORT_INTERVAL), which
 * keeps a 30-day fit under 1,000 events (measured: bench history-budget), far from Temporal's 10,240-event warning. Longer fits run as
 * successive trainings, each warm-started from the last one's potential (`initialPotential`).
 */
export const MAX_TRAINING_TIMEOUT_MS = 30 * 86_400_000;

/** The TrainingRequest with its defaults, its TrainerParams checked (their defaults resolve on the host). */
export function resolveTrainingRequest(input: unknown): Resolution<TrainingRequest> {
  const checked = checkedTrainingRequest(input);
  if (checked.ok && checked.request.limits.trainingTimeout > MAX_TRAINING_TIMEOUT_MS) {
    return {
      ok: false,
      failureType: FailureType.InvalidTrainingRequest,
      message:
        'invalid training request:\n  limits.trainingTimeout: at most "30d", so that the training\'s history ' +
        'stays bounded; fit longer as successive trainings, each with initialPotential set to the previous ' +
        "one's potential",
    };
  }
  return checked;
}

/**
 * The checks a training ran in workflow code before patch resolve-request-once (workflows/patches.ts):
 * what runs that started before it replay. Remove with the patch.
 */
export function checkedTrainingRequest(input: unknown): Resolution<TrainingRequest> {
  const parsed = parseTrainingRequest(input);
  if (!parsed.ok)
    return { ok: false, failureType: FailureType.InvalidTrainingRequest, message: parsed.message };
  return checkTrainerParams(parsed.request.trainer) ?? { ok: true, request: parsed.request };
}

/**
 * The TrainerParams of a request, checked where the workflow starts, so that a typo fails before any host
 * is taken (and by `mlip-train start`, before it starts anything: the same message); undefined when they
 * are valid. Their field names are given under "trainer".
 */
export function checkTrainerParams(trainer: unknown): Extract<Resolution<never>, { ok: false }> | undefined {
  try {
    resolveTrainerParams(trainer);
    return undefined;
  } catch (err) {
    if (!(err instanceof TrainerParamsError)) throw err;
    return {
      ok: false,
      failureType: FailureType.InvalidTrainerConfig,
      message: err.message.replace(
        /^invalid trainer parameters/,
        'invalid trainer parameters (field names under "trainer")',
      ),
    };
  }
}

/** trainCommittee's input as it arrives, before it is checked. */
export interface UncheckedCommitteeInput {
  request: unknown;
  committeeSize: unknown;
}

export interface CommitteeRequest {
  request: TrainingRequest;
  committeeSize: number;
}

/** trainCommittee's input: the members' TrainingRequest and the committee's size. */
export function resolveCommitteeInput(input: UncheckedCommitteeInput): Resolution<CommitteeRequest> {
  const training = resolveTrainingRequest(input.request);
  return training.ok ? withCommitteeSize(training.request, input.committeeSize) : training;
}

/** What trainCommittee checked in workflow code before patch resolve-request-once. Remove with the patch. */
export function checkedCommitteeInput(input: UncheckedCommitteeInput): Resolution<CommitteeRequest> {
  const parsed = parseTrainingRequest(input.request);
  if (!parsed.ok)
    return { ok: false, failureType: FailureType.InvalidTrainingRequest, message: parsed.message };
  return withCommitteeSize(parsed.request, input.committeeSize);
}

function withCommitteeSize(request: TrainingRequest, committeeSize: unknown): Resolution<CommitteeRequest> {
  const size = CommitteeSizeSchema.safeParse(committeeSize);
  if (!size.success)
    return {
      ok: false,
      failureType: FailureType.InvalidTrainingRequest,
      message: 'committeeSize: must be an integer from 2 to 16',
    };
  return { ok: true, request: { request, committeeSize: size.data } };
}

export function resolveScoringRequest(input: unknown): Resolution<ScoringRequest> {
  const parsed = parseScoringRequest(input);
  return parsed.ok
    ? parsed
    : { ok: false, failureType: FailureType.InvalidScoringRequest, message: parsed.message };
}

export function resolveRoundInput(input: unknown): Resolution<ActiveLearningRound> {
  const parsed = ActiveLearningRoundInputSchema.safeParse(input);
  if (parsed.success) return { ok: true, request: parsed.data };
  const lines = parsed.error.issues.map(
    (i) => `  ${i.path.map(String).join('.') || '(input)'}: ${i.message}`,
  );
  return {
    ok: false,
    failureType: FailureType.InvalidTrainingRequest,
    message: `invalid active-learning round input:\n${lines.join('\n')}`,
  };
}
