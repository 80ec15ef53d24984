import { readableTail } from '../../src/pacemaker/log-tail';

describe('readable log tail for failure messages', () => {
  test.each([
    ['keeps only the last lines', 'a\nb\nc\nd', 2, 100, 'c\nd'],
    [
      'collapses carriage-return counters to their last state',
      'x\rEval 1: loss=1\rIteration #3 done\n',
      5,
      100,
      'Iteration #3 done',
    ],
    [
      'drops Eval counter lines',
      'start\nEval 7: loss=0.1\nTraceback (most recent call last):',
      5,
      100,
      'start\nTraceback (most recent call last):',
    ],
    [
      'bounds the characters, keeping the end',
      'x'.repeat(50) + '\nValueError: boom',
      5,
      20,
      '…xx\nValueError: boom',
    ],
  ])('%s', (_label, log, lines, chars, expected) => {
    expect(readableTail(log, lines, chars)).toBe(expected);
  });
});
