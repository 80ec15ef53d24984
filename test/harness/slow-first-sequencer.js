/**
 * The order jest's workers take the test files in, the same on every machine: the slowest first, so
 * that the workers end together instead of one of them starting a four-minute file when the others are
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

/** Seconds per file on 2 cores, the suite running beside it (its time in `npm test`'s report, 2026-12-07). */
const MEASURED_SECONDS = {
  'test/e2e/active-learning-loop.test.ts': 241,
  'test/e2e/committee-uncertainty.test.ts': 213,
  'test/e2e/default-fit-accuracy.test.ts': 186,
  'test/e2e/drain.test.ts': 132,
  'test/e2e/two-element-fit.test.ts': 132,
  'test/e2e/worker-crash-resume.test.ts': 122,
  'test/e2e/score-candidates.test.ts': 93,
  'test/integration/fetch-large-campaign.test.ts': 81,
  'test/workflow/train-potential-hosts.test.ts': 81,
  'test/e2e/train-potential.test.ts': 76,
  'test/e2e/warm-start.test.ts': 73,
  'test/integration/load.test.ts': 65,
  'test/e2e/several-hosts.test.ts': 64,
  'test/e2e/train-committee.test.ts': 58,
  'test/e2e/pacemaker-config-dry-run.test.ts': 57,
  'test/integration/cli-trainings.test.ts': 48,
  'test/integration/train-potential-failures.test.ts': 46,
  'test/e2e/active-set.test.ts': 42,
  'test/integration/fetch-training-data.test.ts': 31,
  'test/integration/secure-connection.test.ts': 30,
  'test/integration/publish-figures.test.ts': 27,
  'test/unit/workflow-lint.test.ts': 26,
  'test/smoke/pacemaker.test.ts': 23,
  'test/integration/batch-worker.test.ts': 24,
  'test/integration/metrics.test.ts': 20,
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
