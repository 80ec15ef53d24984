/**
 * How the MD explorer ended, and the failure an exploration fails with: its type, whether Temporal retries
 * it (a retry continues at the first run not done), and the message a user reads.
 */
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MongoNetworkError } from 'mongodb';
import {
  classifyExplorationEnd,
  type ExplorationEnd,
} from '../../activities/explore-structures/explorer-outcome';
import { ExplorerProtocolError } from '../../src/exploration/explorer-protocol';

const STDERR = 'Traceback (most recent call last):\nRuntimeError: cannot read the active set\n';
const TAIL = 'Traceback (most recent call last):\nRuntimeError: cannot read the active set';

/** A verdict as plain data: what a user or a retry policy sees of it. */
function seen(end: ExplorationEnd) {
  const verdict = classifyExplorationEnd(end);
  if (verdict.kind === 'completed') return 'completed';
  const { failure } = verdict;
  if (failure instanceof CancelledFailure) return { cancelled: failure.message };
  if (failure instanceof ApplicationFailure)
    return { type: failure.type, retried: !failure.nonRetryable, message: failure.message };
  return { thrown: failure };
}

/** An explorer that finished every run and said so. */
const end = (more: Partial<ExplorationEnd>): ExplorationEnd => ({
  cancelled: false,
  exit: { code: 0, signal: null },
  done: true,
  stderr: STDERR,
  runsDone: 4,
  python: '/opt/venv/bin/python',
  ...more,
});

const notJson = new ExplorerProtocolError('the MD explorer wrote a line that is not JSON: oops');
const unknownError = new TypeError('a bug');

test.each<[string, ExplorationEnd, ReturnType<typeof seen>]>([
  ['exited 0 after its closing record: completed', end({}), 'completed'],
  [
    'cancelled (whatever the exit and the stream say): the cancellation',
    end({ cancelled: true, exit: { code: null, signal: 'SIGTERM' }, done: false, streamFailure: notJson }),
    { cancelled: 'exploration cancelled; the MD explorer was stopped' },
  ],
  [
    'broke its protocol: ExplorationFailed, not retried, with its stderr',
    end({ streamFailure: notJson, exit: { code: null, signal: 'SIGTERM' }, done: false }),
    {
      type: 'ExplorationFailed',
      retried: false,
      message: `the MD explorer wrote a line that is not JSON: oops\n${TAIL}`,
    },
  ],
  [
    'MongoDB went away while frames were written: DatabaseUnavailable, retried',
    end({ streamFailure: new MongoNetworkError('connection reset'), done: false }),
    {
      type: 'DatabaseUnavailable',
      retried: true,
      message: 'MongoDB unavailable while writing candidates: connection reset',
    },
  ],
  [
    'any other error on this side: thrown as it is',
    end({ streamFailure: unknownError, done: false }),
    { thrown: unknownError },
  ],
  [
    'could not be started: WorkerMisconfigured, not retried, naming MLIP_PYTHON',
    end({ exit: undefined, spawnError: new Error('spawn /opt/venv/bin/python ENOENT'), done: false }),
    {
      type: 'WorkerMisconfigured',
      retried: false,
      message: 'cannot run /opt/venv/bin/python (MLIP_PYTHON): spawn /opt/venv/bin/python ENOENT',
    },
  ],
  [
    'killed from outside: ExplorationFailed, retried, saying where the next attempt continues',
    end({ exit: { code: null, signal: 'SIGKILL' }, done: false }),
    {
      type: 'ExplorationFailed',
      retried: true,
      message: `the MD explorer was killed by SIGKILL; the next attempt continues at run 4.\n${TAIL}`,
    },
  ],
  [
    'exited non-zero: ExplorationFailed, not retried, with its stderr',
    end({ exit: { code: 1, signal: null }, done: false }),
    { type: 'ExplorationFailed', retried: false, message: `the MD explorer exited with code 1: ${TAIL}` },
  ],
  [
    'exited 0 without its closing record: ExplorationFailed, not retried',
    end({ done: false }),
    { type: 'ExplorationFailed', retried: false, message: `the MD explorer exited with code 0: ${TAIL}` },
  ],
  [
    'exited non-zero saying nothing: ExplorationFailed, not retried, saying so',
    end({ exit: { code: 2, signal: null }, stderr: '' }),
    {
      type: 'ExplorationFailed',
      retried: false,
      message: 'the MD explorer exited with code 2: (no output on stderr)',
    },
  ],
])('%s', (_what, ended, expected) => {
  expect(seen(ended)).toEqual(expected);
});
