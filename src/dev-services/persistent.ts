/**
 * The persistent mode, behind `./temporal-dev.sh up | down | status`: fixed ports (TEMPORAL_PORT,
 * TEMPORAL_UI_PORT, MONGO_PORT), data and logs in .dev-data/, services that outlive the command. Each
 * started service leaves NAME.pid (its pid) and NAME.cmd (text of its command line) in the data dir; a
 * pid counts as ours only while /proc/PID/cmdline still holds that text, so `up` is idempotent and `down`
 * stops only what `up` started. (The same files as the former bash script's, so a stack started before
 * this rewrite is still found and stopped.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../config';
import { LOCALHOST, mongoWireServer, temporalDevServer, type ServiceDefinition } from './definitions';
import {
  launchService,
  portOpen,
  requireInstalled,
  ServiceStartError,
  stopService,
  type LaunchedService,
} from './service-process';

/** Data and logs of the persistent stack (git-ignored). */
export const DEV_DATA_DIR = path.join(PROJECT_ROOT, '.dev-data');

export const DEFAULT_PORTS = { temporal: 7233, ui: 8233, mongo: 27017 } as const;

export interface PersistentConfig {
  dataDir: string;
  temporalPort: number;
  uiPort: number;
  mongoPort: number;
}

/** A problem the user can fix (a port taken, a bad setting): the CLI prints the message, no stack. */
export class DevServicesError extends Error {
  override name = 'DevServicesError';
}

function portFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new DevServicesError(`${name} must be a port number (1-65535), got '${raw}'`);
  }
  return port;
}

export function persistentConfigFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  dataDir = DEV_DATA_DIR,
): PersistentConfig {
  return {
    dataDir,
    temporalPort: portFromEnv(env, 'TEMPORAL_PORT', DEFAULT_PORTS.temporal),
    uiPort: portFromEnv(env, 'TEMPORAL_UI_PORT', DEFAULT_PORTS.ui),
    mongoPort: portFromEnv(env, 'MONGO_PORT', DEFAULT_PORTS.mongo),
  };
}

/** The persistent stack, in start order: Temporal (SQLite file, Web UI) and the MongoDB-wire server. */
export function persistentDefinitions(config: PersistentConfig): ServiceDefinition[] {
  return [
    temporalDevServer({
      port: config.temporalPort,
      ui: { port: config.uiPort },
      dbFile: path.join(config.dataDir, 'temporal.db'),
    }),
    mongoWireServer({ port: config.mongoPort, sqliteDir: path.join(config.dataDir, 'mongo') }),
  ];
}

const pidFile = (config: PersistentConfig, name: string) => path.join(config.dataDir, `${name}.pid`);
const cmdFile = (config: PersistentConfig, name: string) => path.join(config.dataDir, `${name}.cmd`);
const logFile = (config: PersistentConfig, name: string) => path.join(config.dataDir, 'logs', `${name}.log`);

function readTrimmed(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * The pid of the service `up` started, if it still runs that same program; otherwise forgets the stale
 * pid file and returns undefined.
 */
export function runningPid(config: PersistentConfig, definition: ServiceDefinition): number | undefined {
  const file = pidFile(config, definition.name);
  const recorded = readTrimmed(file);
  if (recorded === undefined) return undefined;
  const pid = Number(recorded);
  const match = readTrimmed(cmdFile(config, definition.name)) || definition.commandMatch;
  let commandLine = '';
  try {
    // A zombie's cmdline is empty, so an exited service never matches.
    commandLine = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    /* no such process */
  }
  if (Number.isInteger(pid) && pid > 0 && commandLine.includes(match)) return pid;
  fs.rmSync(file, { force: true });
  return undefined;
}

type Say = (line: string) => void;

/**
 * Starts whichever of the two services is not running and waits until both answer. Something else on
 * one of their ports is refused before anything starts.
 */
export async function persistentUp(config: PersistentConfig, say: Say): Promise<void> {
  fs.mkdirSync(path.join(config.dataDir, 'logs'), { recursive: true });
  fs.mkdirSync(path.join(config.dataDir, 'mongo'), { recursive: true });
  const plan = persistentDefinitions(config).map((definition) => ({
    definition,
    pid: runningPid(config, definition),
  }));
  for (const { definition } of plan.filter((p) => p.pid === undefined)) {
    requireInstalled(definition); // before anything starts, as a taken port is
    for (const port of [definition.port, ...definition.otherPorts]) {
      if (await portOpen(port)) {
        throw new DevServicesError(
          `port ${port} is in use by another process, so ${definition.name} cannot start.\n` +
            '       Stop that process, or choose another port (see ./temporal-dev.sh --help).',
        );
      }
    }
  }
  const launched = new Map<ServiceDefinition, LaunchedService>();
  for (const { definition } of plan.filter((p) => p.pid === undefined)) {
    fs.writeFileSync(cmdFile(config, definition.name), `${definition.commandMatch}\n`);
    const started = launchService(definition, logFile(config, definition.name));
    fs.writeFileSync(pidFile(config, definition.name), `${started.service.pid}\n`);
    launched.set(definition, started);
  }
  // Both start at once and are waited for together; the report keeps the start order.
  const outcomes = new Map(
    await Promise.all(
      [...launched].map(async ([definition, started]) => {
        try {
          await started.ready;
          return [definition, undefined] as const;
        } catch (err) {
          return [definition, err instanceof Error ? err.message : String(err)] as const;
        }
      }),
    ),
  );
  const failures: string[] = [];
  for (const { definition, pid } of plan) {
    if (pid !== undefined) {
      say(`${definition.name}: already running (pid ${pid})`);
      continue;
    }
    const started = launched.get(definition);
    if (!started) continue; // every service not running was launched above
    const failure = outcomes.get(definition);
    if (failure === undefined) {
      say(`${definition.name}: started (pid ${started.service.pid})`);
    } else if (runningPid(config, definition) !== undefined) {
      // Merely slow: it keeps its pid file, so that `down` can stop it.
      failures.push(
        `${failure}\n       It still runs (pid ${started.service.pid}): './temporal-dev.sh down' stops it.`,
      );
    } else {
      failures.push(failure); // it exited, and runningPid forgot its pid file
    }
  }
  if (failures.length > 0) throw new ServiceStartError(failures.join('\nerror: '));
}

/** Stops what `up` started (each service's whole process group), and nothing else. */
export async function persistentDown(config: PersistentConfig, say: Say): Promise<void> {
  for (const definition of persistentDefinitions(config)) {
    const pid = runningPid(config, definition);
    if (pid === undefined) {
      say(`${definition.name}: not running`);
      continue;
    }
    await stopService({
      name: definition.name,
      pid,
      port: definition.port,
      address: definition.address,
      logFile: logFile(config, definition.name),
    });
    fs.rmSync(pidFile(config, definition.name), { force: true });
    say(`${definition.name}: stopped`);
  }
}

export function persistentStatus(config: PersistentConfig, say: Say): void {
  for (const definition of persistentDefinitions(config)) {
    const pid = runningPid(config, definition);
    say(pid !== undefined ? `${definition.name}: running (pid ${pid})` : `${definition.name}: not running`);
  }
  addresses(config, say);
}

/** Where clients find the stack: the settings to export. */
export function addresses(config: PersistentConfig, say: Say): void {
  say('');
  say(`  Temporal gRPC  TEMPORAL_ADDRESS=${LOCALHOST}:${config.temporalPort} (namespace default)`);
  say(`  Temporal UI    http://${LOCALHOST}:${config.uiPort}`);
  say(`  MongoDB wire   MONGODB_URI=mongodb://${LOCALHOST}:${config.mongoPort}`);
}
