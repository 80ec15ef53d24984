#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs what is missing, type-checks, lints, then runs jest
# against ephemeral real services (started and stopped by jest's global setup/teardown).
# Ends with the line "N passed, N failed" taken from jest's JSON result.
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh || exit 1

echo "[test] type-check (tsc --noEmit)"
npx tsc --noEmit || { echo "0 passed, 1 failed"; exit 1; }
echo "[test] lint and format (eslint, prettier --check)"
{ npx eslint . && npx prettier --check . >/dev/null; } || { echo "[test] fix with: npm run format && npx eslint . --fix"; echo "0 passed, 1 failed"; exit 1; }

mkdir -p .test-results
rm -f .test-results/jest.json
# A crashed jest can leave its services behind: stop whatever the harness recorded.
trap 'node --import tsx src/dev-services/cli.ts stop-orphans --quiet' EXIT
npx jest --json --outputFile=.test-results/jest.json "$@"
status=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync(".test-results/jest.json", "utf8"));
  // The suite has a budget (15 minutes of jest on 2 cores): the files that spend it, for whoever adds the next.
  const files = r.testResults.map((t) => [(t.endTime - t.startTime) / 1000, t.name.replace(process.cwd() + "/", "")]);
  const jestSeconds = (Math.max(...r.testResults.map((t) => t.endTime)) - r.startTime) / 1000;
  console.log(`[test] jest ${jestSeconds.toFixed(0)} s; the ten slowest files:`);
  for (const [s, name] of files.sort((a, b) => b[0] - a[0]).slice(0, 10))
    console.log(`[test] ${s.toFixed(0).padStart(5)} s  ${name}`);
  if (jestSeconds > 900) console.log("[test] over the budget of 900 s: share fits, shrink them, or move the behaviour to a faster tier");
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests + r.numRuntimeErrorTestSuites} failed` + (skipped ? `, ${skipped} skipped` : ""));
' 2>/dev/null || echo "0 passed, 1 failed"
exit $status
