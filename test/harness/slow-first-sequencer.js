/**
 * The order jest's two workers take the test files in, the same on every machine: the slowest first, so
 * that the two workers end together instead of one of them starting a four-minute file when the other is
 * nearly done.
 *
 * jest's own sequencer orders by the durations it cached on earlier runs of this checkout, and a fresh
 * clone has none: it falls back to file size, which put the active-learning loop (the longest file) near
 * the end and cost the suite three to four minutes on a new machine. The seconds here are measured (file
 * times of `npm test`, printed at its end); a file not listed is quick, and those go after the slow ones,
 * largest first, as jest would order them. Re-measure when a file's time changes by more than a minute.
 */
const fs = require('node:fs');
const path = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;

/** Seconds per file on 2 cores with both jest workers busy (the file's time in `npm test`'s report). */
const MEASURED_SECONDS = {
  'test/e2e/active-learning-loop.test.ts': 248,
  'test/e2e/drain.test.ts': 209,
  'test/e2e/worker-crash-resume.test.ts': 177,
  'test/e2e/committee-uncertainty.test.ts': 173,
  'test/e2e/default-fit-accuracy.test.ts': 124,
  'test/e2e/warm-start.test.ts': 117,
  'test/e2e/two-element-fit.test.ts': 99,
  'test/e2e/score-candidates.test.ts': 88,
  'test/integration/fetch-large-campaign.test.ts': 77,
  'test/e2e/train-potential.test.ts': 70,
};

const ROOT = path.join(__dirname, '..', '..');

class SlowFirstSequencer extends Sequencer {
  sort(tests) {
    const known = (test) => MEASURED_SECONDS[path.relative(ROOT, test.path).split(path.sep).join('/')];
    const size = (test) => fs.statSync(test.path).size;
    return [...tests].sort((a, b) => {
      const [ka, kb] = [known(a), known(b)];
      if (ka !== undefined || kb !== undefined) return (kb ?? -1) - (ka ?? -1);
      return size(b) - size(a);
    });
  }
}

module.exports = SlowFirstSequencer;
module.exports.MEASURED_SECONDS = MEASURED_SECONDS;
