#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs what is missing, type-checks, lints, then runs jest
# against ephemeral real services (started and stopped by jest's global setup/teardown).
# Ends with the line "N passed, N failed" taken from jest's JSON result.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

bash scripts/setup.sh || exit 1

echo "[test] type-check (tsc --noEmit)"
npx tsc --noEmit || { echo "0 passed, 1 failed"; exit 1; }
echo "[test] lint and format (eslint, prettier --check)"
{ npx eslint . && npx prettier --check . >/dev/null; } || { echo "[test] fix with: npm run format && npx eslint . --fix"; echo "0 passed, 1 failed"; exit 1; }

mkdir -p .test-results
rm -f .test-results/jest*.json
# A crashed jest can leave its services behind: stop whatever the harness recorded.
trap 'node --import tsx src/dev-services/cli.ts stop-orphans --quiet' EXIT
npx jest --json --outputFile=.test-results/jest.json "$@"
status=$?
# shellcheck disable=SC2016 # the single quotes hold a JavaScript program, expanded by node, not bash
node -e '
  const r = JSON.parse(require("fs").readFileSync(".test-results/jest.json", "utf8"));

  // The suite has a budget (12 minutes of jest on 2 cores, a fresh clone, an empty jest cache): the tiers and
  // the files that spend it, for whoever adds the next test.
  const BUDGET_SECONDS = 720;
  const files = r.testResults.map((t) => [(t.endTime - t.startTime) / 1000, t.name.replace(process.cwd() + "/", "")]);
  const jestSeconds = (Math.max(...r.testResults.map((t) => t.endTime)) - r.startTime) / 1000;
  const tiers = {};
  for (const [s, name] of files) {
    const tier = name.split("/")[1];
    tiers[tier] = tiers[tier] ?? { files: 0, seconds: 0 };
    tiers[tier].files += 1;
    tiers[tier].seconds += s;
  }
  console.log(`[test] jest ${jestSeconds.toFixed(0)} s (budget ${BUDGET_SECONDS} s); file time per tier: ` +
    Object.entries(tiers).sort((a, b) => b[1].seconds - a[1].seconds)
      .map(([t, v]) => `${t} ${v.seconds.toFixed(0)} s (${v.files})`).join(", "));
  console.log("[test] the ten slowest files:");
  for (const [s, name] of files.sort((a, b) => b[0] - a[0]).slice(0, 10))
    console.log(`[test] ${s.toFixed(0).padStart(5)} s  ${name}`);
  if (jestSeconds > BUDGET_SECONDS) console.log(`[test] over the budget of ${BUDGET_SECONDS} s: share fits, shrink them, or move the behaviour to a faster tier`);
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests + r.numRuntimeErrorTestSuites} failed` + (skipped ? `, ${skipped} skipped` : ""));
' 2>/dev/null || echo "0 passed, 1 failed"
exit $status
