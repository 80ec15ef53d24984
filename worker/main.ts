/**
 * `npm run worker`: serve trainings on this host until SIGINT/SIGTERM. Settings come from the
 * environment (docs/operations.md, "Configuration (environment)").
 */
import { Client } from '@temporalio/client';
import { loadEnv } from '../src/config';
import { redactMongoUri } from '../src/db';
import { connectClient, connectWorker, temporalTarget } from '../src/temporal';
import { describeBackends, hostFitThreads, probeBackendsCached } from '../src/pacemaker';
import { installRuntime } from '../src/telemetry';
import { createTrainingWorkers } from './create-workers';
import { removeStaleWorkspaces } from './stale-workspaces';

async function main() {
  const env = loadEnv();
  installRuntime(env, (line) => console.log(`[worker] ${line}`)); // before any connection: metrics, if asked
  const target = temporalTarget(env);
  const connection = await connectWorker(target);
  const clientConnection = await connectClient(target).catch(async (err: unknown) => {
    await connection.close();
    throw err;
  });
  const client = new Client({ connection: clientConnection, namespace: target.namespace });
  try {
    await removeStaleWorkspaces(env.MLIP_WORK_ROOT, client, (line) => console.log(`[worker] ${line}`));
    const workers = await createTrainingWorkers({ env, connection, client });
    console.log(
      `[worker] host ${env.MLIP_HOST_ID}: serving ${env.MLIP_TASK_QUEUE} (workflows, acquireWorkspace) and ` +
        `${workers.hostQueue} (training steps, ${env.MLIP_MAX_CONCURRENT_TRAININGS} fit(s) at a time, ${hostFitThreads(env)} CPU thread(s) each); ` +
        `${target.summary}; MongoDB ${redactMongoUri(env.MONGODB_URI)}; workspaces in ${env.MLIP_WORK_ROOT}`,
    );
    // Asked once, beside the running worker: TensorFlow's import takes seconds and must not delay start-up
    // (and is skipped while the Python environment is the one the kept answer came from).
    void probeBackendsCached(env.MLIP_PYTHON).then(
      ({ report, probedAt }) => {
        const { line, warning } = describeBackends(report);
        console.log(
          `[worker] ${line}${probedAt ? ` (as probed at ${probedAt}; the environment is unchanged)` : ''}`,
        );
        if (warning) console.warn(`[worker] warning: ${warning}`);
      },
      (err: unknown) =>
        console.warn(`[worker] could not tell which pacemaker evaluators this host has: ${String(err)}`),
    );
    // The SDK's runtime shuts the workers down on these signals; say what that means for running fits.
    for (const signal of ['SIGTERM', 'SIGINT'] as const)
      process.once(signal, () =>
        console.log(
          `[worker] ${signal}: draining — no new work is taken; running fits stop at their checkpoint (at most ` +
            `${env.MLIP_DRAIN_SECONDS} s) and are handed back to resume here or on another host`,
        ),
      );
    await workers.run();
    console.log('[worker] drained and stopped');
  } finally {
    await clientConnection.close();
    await connection.close();
  }
}

main().catch((err: unknown) => {
  console.error(`[worker] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
