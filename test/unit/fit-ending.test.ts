/**
 * How a run of pacemaker ended, and what executeTraining does about it: the failure type, whether Temporal
 * retries it, and the message a user reads.
 */
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import {
  classifyFitExit,
  type FitEndFacts,
  type FitExit,
  type FitVerdict,
} from '../../activities/execute-training/fit-ending';
import { handBack, isWorkerShutdown } from '../../activities/execute-training/hand-back';

const LOG = 'Iteration   #3\rIteration   #4\nTraceback (most recent call last):\nRuntimeError: boom\n';
const TAIL = 'Iteration   #4\nTraceback (most recent call last):\nRuntimeError: boom';

const exited = (code: number | null, signal: NodeJS.Signals | null = null): FitExit => ({
  code,
  signal,
  cancelled: false,
  drained: false,
});
const facts = (more: Partial<FitEndFacts> = {}): FitEndFacts => ({
  logText: LOG,
  checkpoint: 'interim_potential_0.yaml',
  potentialWritten: true,
  hostId: 'host-a',
  ...more,
});

/** The verdict as plain data: what a user or a retry policy sees of it. */
function seen(verdict: FitVerdict) {
  if (verdict.kind !== 'failed') return verdict;
  const { failure } = verdict;
  if (failure instanceof CancelledFailure) return { cancelled: failure.message };
  if (!(failure instanceof ApplicationFailure))
    throw new Error('neither cancelled nor an ApplicationFailure');
  return { type: failure.type, retried: !failure.nonRetryable, message: failure.message };
}

describe('how a run of pacemaker ended decides what executeTraining does', () => {
  test.each<[string, FitExit, FitEndFacts, ReturnType<typeof seen>]>([
    ['exit 0 with output_potential.yaml: on to the conversion', exited(0), facts(), { kind: 'completed' }],
    [
      'exit 0 with output_potential.yaml after continuing from a checkpoint: on to the conversion',
      exited(0),
      facts({ resumedFrom: 'interim_potential_0.yaml' }),
      { kind: 'completed' },
    ],
    [
      'exit 0 without output_potential.yaml: InvalidTrainerOutput, not retried, with the log tail',
      exited(0),
      facts({ potentialWritten: false }),
      {
        type: 'InvalidTrainerOutput',
        retried: false,
        message: `pacemaker exited 0 but wrote no output_potential.yaml. Last lines of the log:\n${TAIL}`,
      },
    ],
    [
      'a non-zero exit: TrainingFailed, not retried, with the code and the log tail',
      exited(3),
      facts(),
      {
        type: 'TrainingFailed',
        retried: false,
        message: `pacemaker exited with code 3. Last lines of pacemaker.log:\n${TAIL}`,
      },
    ],
    [
      'a non-zero exit of a run that continued from a checkpoint: the checkpoint is unreadable, start again',
      exited(1),
      facts({ resumedFrom: 'interim_potential_0.yaml' }),
      { kind: 'start-again', unusableCheckpoint: 'interim_potential_0.yaml' },
    ],
    [
      'killed from outside (OOM killer, an operator): ProcessKilled, retried, with the log tail',
      exited(null, 'SIGKILL'),
      facts(),
      {
        type: 'ProcessKilled',
        retried: true,
        message: `pacemaker was killed by SIGKILL; the next attempt continues from the latest checkpoint.\n${TAIL}`,
      },
    ],
    [
      'a continued run killed from outside: ProcessKilled, its checkpoint kept',
      exited(null, 'SIGKILL'),
      facts({ resumedFrom: 'interim_potential_0.yaml' }),
      {
        type: 'ProcessKilled',
        retried: true,
        message: `pacemaker was killed by SIGKILL; the next attempt continues from the latest checkpoint.\n${TAIL}`,
      },
    ],
    [
      'cancelled (the group ended by SIGTERM): the cancellation, not a kill',
      { ...exited(null, 'SIGTERM'), cancelled: true },
      facts({ resumedFrom: 'interim_potential_0.yaml' }),
      { cancelled: 'training cancelled; pacemaker stopped' },
    ],
    [
      'drained at a checkpoint: WorkerShuttingDown, retried, naming the host and the checkpoint',
      { ...exited(1), drained: true },
      facts({ resumedFrom: 'interim_potential_0.yaml' }),
      {
        type: 'WorkerShuttingDown',
        retried: true,
        message:
          'the worker of host host-a is shutting down; pacemaker stopped at its checkpoint interim_potential_0.yaml, which the next attempt continues from',
      },
    ],
    [
      'drained before the first checkpoint, on a host without an id: the next attempt starts again',
      { ...exited(null, 'SIGTERM'), drained: true },
      facts({ checkpoint: undefined, hostId: undefined }),
      {
        type: 'WorkerShuttingDown',
        retried: true,
        message:
          'the worker of host ? is shutting down; pacemaker stopped before its first checkpoint, so the next attempt starts the fit again',
      },
    ],
  ])('%s', (_what, exit, ended, expected) => {
    expect(seen(classifyFitExit(exit, ended))).toEqual(expected);
  });
});

describe("a worker's shutdown is told from a cancellation of the training", () => {
  test.each([
    ['the worker shutting down is a drain', new CancelledFailure('WORKER_SHUTDOWN'), true],
    ['the workflow cancelling the step is a cancellation', new CancelledFailure('CANCELLED'), false],
    ['a heartbeat timeout is a cancellation', new CancelledFailure('TIMED_OUT'), false],
    ['no reason is a cancellation', undefined, false],
  ])('%s', (_what, reason, shutdown) => {
    expect(isWorkerShutdown(reason)).toBe(shutdown);
  });

  test('a fit handed back is a retryable WorkerShuttingDown naming the host', () => {
    const failure = handBack('host-b', '; try again');
    expect(failure).toMatchObject({
      type: 'WorkerShuttingDown',
      nonRetryable: false,
      message: 'the worker of host host-b is shutting down; try again',
    });
  });
});
