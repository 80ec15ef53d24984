/**
 * How the candidate scorer ended, and the failure a scoring fails with: its type, whether Temporal retries
 * it, and the message a user reads. Also the failure of a host that lacks the potential's files.
 */
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MongoNetworkError } from 'mongodb';
import {
  classifyScoringEnd,
  scorerStartFailure,
  type ScorerStartEnd,
  type ScoringEnd,
} from '../../activities/score-candidates/scorer-outcome';
import { filesNotHere } from '../../activities/score-candidates/member-files';
import type { RegisteredPotential } from '../../src/api';
import { ScorerProtocolError } from '../../src/candidates/scoring';

const STDERR = 'Traceback (most recent call last):\nValueError: bad potential\n';
const TAIL = 'Traceback (most recent call last):\nValueError: bad potential';

/** A failure as plain data: what a user or a retry policy sees of it. */
function seen(failure: unknown) {
  if (failure instanceof CancelledFailure) return { cancelled: failure.message };
  if (failure instanceof ApplicationFailure)
    return { type: failure.type, retried: !failure.nonRetryable, message: failure.message };
  return { thrown: failure };
}

const abortError = () => Object.assign(new Error('aborted'), { name: 'AbortError' });

describe('a scorer that never announced itself ready', () => {
  const end = (more: Partial<ScorerStartEnd>): ScorerStartEnd => ({
    cancelled: false,
    exit: { code: 1, signal: null },
    stderr: STDERR,
    python: '/opt/venv/bin/python',
    ...more,
  });
  test.each<[string, ScorerStartEnd, ReturnType<typeof seen>]>([
    [
      'exited on an unloadable potential: ScoringFailed, not retried, with its stderr',
      end({}),
      {
        type: 'ScoringFailed',
        retried: false,
        message: `the candidate scorer could not load the potential(s): ${TAIL}`,
      },
    ],
    [
      'exited saying nothing: ScoringFailed, not retried, saying so',
      end({ stderr: '' }),
      {
        type: 'ScoringFailed',
        retried: false,
        message: 'the candidate scorer could not load the potential(s): (no output on stderr)',
      },
    ],
    [
      'could not be started: ScoringFailed, not retried, naming MLIP_PYTHON',
      end({ exit: { code: null, signal: null }, spawnError: new Error('spawn /opt/venv/bin/python ENOENT') }),
      {
        type: 'ScoringFailed',
        retried: false,
        message:
          'the candidate scorer could not load the potential(s): cannot run /opt/venv/bin/python (MLIP_PYTHON): spawn /opt/venv/bin/python ENOENT',
      },
    ],
    [
      'killed from outside while loading: ScoringFailed, retried',
      end({ exit: { code: null, signal: 'SIGKILL' } }),
      {
        type: 'ScoringFailed',
        retried: true,
        message: `the candidate scorer could not load the potential(s): ${TAIL} (killed by SIGKILL)`,
      },
    ],
    [
      'stopped by the cancellation: the cancellation',
      end({ cancelled: true, exit: { code: null, signal: 'SIGTERM' } }),
      { cancelled: 'scoring cancelled' },
    ],
  ])('%s', (_what, ended, expected) => {
    expect(seen(scorerStartFailure(ended))).toEqual(expected);
  });
});

describe('how the stream of candidates through the scorer ended', () => {
  const end = (more: Partial<ScoringEnd>): ScoringEnd => ({
    cancelled: false,
    failures: [],
    exit: { code: 0, signal: null },
    unanswered: 0,
    peakRssKB: 204800,
    stderr: STDERR,
    ...more,
  });
  const bug = new TypeError('a bug on this side');
  test.each<[string, ScoringEnd, { completed: number } | ReturnType<typeof seen>]>([
    ['every structure answered and the scorer done: completed', end({}), { completed: 204800 }],
    [
      'cancelled, whatever else went wrong: the cancellation',
      end({ cancelled: true, failures: [abortError()], exit: { code: null, signal: 'SIGTERM' } }),
      { cancelled: 'scoring cancelled; the scorer was stopped' },
    ],
    [
      'the scorer broke its protocol: ScoringFailed, not retried, with its stderr',
      end({ failures: [new ScorerProtocolError('the scorer announced itself twice'), abortError()] }),
      {
        type: 'ScoringFailed',
        retried: false,
        message: `the scorer announced itself twice\n${TAIL}`,
      },
    ],
    [
      'MongoDB went away while streaming: DatabaseUnavailable, retried',
      end({ failures: [abortError(), new MongoNetworkError('connection reset')] }),
      {
        type: 'DatabaseUnavailable',
        retried: true,
        message: 'MongoDB unavailable while streaming candidates: connection reset',
      },
    ],
    [
      "the reader's failure is told before the feeder's",
      end({ failures: [new ScorerProtocolError('out of order'), new MongoNetworkError('connection reset')] }),
      { type: 'ScoringFailed', retried: false, message: `out of order\n${TAIL}` },
    ],
    ['any other error is rethrown as it is', end({ failures: [bug] }), { thrown: bug }],
    [
      'killed from outside (each side stopped by the other): ScoringFailed, retried, to continue',
      end({
        failures: [abortError()],
        exit: { code: null, signal: 'SIGKILL' },
        unanswered: 3,
        peakRssKB: null,
      }),
      {
        type: 'ScoringFailed',
        retried: true,
        message: `the candidate scorer was killed by SIGKILL; the next attempt continues where it stopped.\n${TAIL}`,
      },
    ],
    [
      'exited non-zero: ScoringFailed, not retried, with the structures left unanswered',
      end({ exit: { code: 2, signal: null }, unanswered: 5, peakRssKB: null }),
      {
        type: 'ScoringFailed',
        retried: false,
        message: `the candidate scorer exited with code 2 (5 structure(s) unanswered): ${TAIL}`,
      },
    ],
    [
      'exited 0 with structures unanswered: ScoringFailed, not retried',
      end({ unanswered: 1 }),
      {
        type: 'ScoringFailed',
        retried: false,
        message: `the candidate scorer exited with code 0 (1 structure(s) unanswered): ${TAIL}`,
      },
    ],
    [
      'exited 0 without its closing record: ScoringFailed, not retried',
      end({ peakRssKB: null }),
      {
        type: 'ScoringFailed',
        retried: false,
        message: `the candidate scorer exited with code 0 (0 structure(s) unanswered): ${TAIL}`,
      },
    ],
  ])('%s', (_what, ended, expected) => {
    const verdict = classifyScoringEnd(ended);
    expect(verdict.kind === 'completed' ? { completed: verdict.peakRssKB } : seen(verdict.failure)).toEqual(
      expected,
    );
  });
});

describe('a host without the potential’s files refuses the scoring', () => {
  const potential = (host?: { id: string; taskQueue: string }): RegisteredPotential => ({
    scoringId: 'cu@v1',
    kind: 'potential',
    members: [{ potentialId: 'cu@v1', yace: '/p/cu/v1/potential.yace' }],
    ...(host ? { host } : {}),
    elements: ['Cu'],
    rankedBy: 'gammaMax',
  });
  test.each([
    [
      'published on another host: it asks whether the potentials folder is the same',
      potential({ id: 'host-a', taskQueue: 'mlip-training@host-a' }),
      ['/p/a'],
      'potentialId: the files of cu@v1 are not on host host-b (missing: /p/a); they were published on host host-a: is MLIP_POTENTIALS_DIR the same folder here?',
    ],
    [
      'published before hosts were recorded, four files missing: three named, and where to run it',
      potential(),
      ['/p/a', '/p/b', '/p/c', '/p/d'],
      'potentialId: the files of cu@v1 are not on host host-b (missing: /p/a, /p/b, /p/c, …); its registry entry predates recording the host: run scoring on a worker whose MLIP_POTENTIALS_DIR holds them',
    ],
  ])('%s', (_what, scoring, missing, message) => {
    expect(seen(filesNotHere(scoring, 'host-b', missing))).toEqual({
      type: 'InvalidScoringRequest',
      retried: false,
      message,
    });
  });
});
