/**
 * Entry point of ./temporal-dev.sh (which runs scripts/setup.sh on `up` first, then this):
 *   up | down | status   the persistent stack (see persistent.ts; ports from TEMPORAL_PORT,
 *                        TEMPORAL_UI_PORT, MONGO_PORT)
 *   stop-orphans [--quiet]  stops the ephemeral services of test or bench runs that crashed (called by
 *                        scripts/test.sh's exit trap; --quiet: print nothing, so the run still ends with
 *                        its "N passed, N failed" line)
 * Run as `node --import tsx src/dev-services/cli.ts VERB`.
 */
import { stopOrphanedServices } from './ephemeral';
import {
  DevServicesError,
  persistentConfigFromEnv,
  persistentDown,
  persistentStatus,
  persistentUp,
  addresses,
} from './persistent';
import { ServiceStartError } from './service-process';

const USAGE = `Usage: ./temporal-dev.sh up | down | status

  up      install what is missing (scripts/setup.sh), start the Temporal dev server and the
          MongoDB-wire server if they are not running, wait until both answer
  down    stop the services that 'up' started (nothing else)
  status  say what runs, with addresses

Environment: TEMPORAL_PORT (default 7233), TEMPORAL_UI_PORT (8233), MONGO_PORT (27017).
Data and logs: .dev-data/
`;

const say = (line: string) => console.log(line);

// `./temporal-dev.sh status | head -1` closes the pipe early: stop quietly, as a shell tool would.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(0);
});

export async function main(args: string[]): Promise<number> {
  const [verb, ...rest] = args;
  switch (verb) {
    case 'up': {
      const config = persistentConfigFromEnv();
      await persistentUp(config, say);
      addresses(config, say);
      return 0;
    }
    case 'down':
      await persistentDown(persistentConfigFromEnv(), say);
      return 0;
    case 'status':
      persistentStatus(persistentConfigFromEnv(), say);
      return 0;
    case 'stop-orphans': {
      const report = await stopOrphanedServices();
      if (!rest.includes('--quiet')) report.forEach(say);
      return 0;
    }
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE);
      return 0;
    default:
      process.stderr.write(USAGE);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof DevServicesError || err instanceof ServiceStartError) {
      console.error(`error: ${err.message}`);
    } else {
      console.error(err);
    }
    process.exitCode = 1;
  },
);
