#!/usr/bin/env node
// TEST DOUBLE of the training worker (worker/main.ts, `npm run worker`), for the batch-job script's
// test (test/integration/batch-worker.test.ts): it trains nothing. It records what it was started with
// and each signal it gets, as JSON lines in MLIP_TEST_WORKER_RECORD, and drains like the worker: on
// SIGTERM or SIGINT it exits with MLIP_TEST_WORKER_EXIT (default 0) MLIP_TEST_WORKER_DRAIN_MS (default
// 300) later. With MLIP_TEST_WORKER_STUCK=1 its drain never ends (a hung worker). It starts no process of
// its own, so whatever the test finds running afterwards was left by the script.
/* global setInterval, setTimeout */
const fs = require('node:fs');

const record = (event) =>
  fs.appendFileSync(
    process.env.MLIP_TEST_WORKER_RECORD,
    JSON.stringify({ ...event, at: Date.now(), pid: process.pid }) + '\n',
  );

record({
  event: 'start',
  cwd: process.cwd(),
  env: Object.fromEntries(
    ['MLIP_HOST_ID', 'MLIP_WORK_ROOT', 'MLIP_SHARED_WORK_ROOT', 'MLIP_DRAIN_SECONDS', 'TEMPORAL_ADDRESS'].map(
      (name) => [name, process.env[name]],
    ),
  ),
});
// Keeps the process alive until it is told to stop.
setInterval(() => {}, 60_000);
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'])
  process.on(signal, () => {
    record({ event: 'signal', signal });
    if (process.env.MLIP_TEST_WORKER_STUCK === '1') return;
    setTimeout(
      () => {
        const code = Number(process.env.MLIP_TEST_WORKER_EXIT ?? 0);
        record({ event: 'exit', code });
        process.exit(code);
      },
      Number(process.env.MLIP_TEST_WORKER_DRAIN_MS ?? 300),
    );
  });
