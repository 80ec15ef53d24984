/**
 * Starting and stopping one service process: each runs detached, in a process group of its own, so that
 * it outlives whoever started it (the dev stack outlives `./temporal-dev.sh up`) and so that stopping the
 * group stops everything the service spawned. Stopping goes through src/process, the package's one way
 * to stop a process group.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { processStartTime, terminateGroup } from '../process';
import { LOCALHOST, type ServiceDefinition } from './definitions';

/** A service that was started: enough to find it again from another process and to stop it. */
export interface RunningService {
  name: string;
  /** The leader's pid, which is also the id of its process group. */
  pid: number;
  /** The leader's start time (processStartTime): a reused pid never passes for the service. */
  startTime?: string;
  port: number;
  address: string;
  logFile: string;
}

/** A service that did not come up: the message names it and ends with the end of its log. */
export class ServiceStartError extends Error {
  override name = 'ServiceStartError';
}

/** How long a SIGTERMed service gets to exit before its group is SIGKILLed. */
export const STOP_GRACE_MS = 10_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function portOpen(port: number, host = LOCALHOST): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, host);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * A distinct port for each name, nothing listening on any right now (the OS's picks). All are held until
 * all are chosen: closed one by one, the OS could hand out the same port twice.
 */
export async function freePorts<Name extends string>(names: readonly Name[]): Promise<Record<Name, number>> {
  const servers: net.Server[] = [];
  try {
    const ports = {} as Record<Name, number>; // filled below, one entry per name
    for (const name of names) {
      const server = net.createServer();
      servers.push(server);
      ports[name] = await new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, LOCALHOST, () => {
          const address = server.address();
          if (typeof address === 'object' && address) resolve(address.port);
          else reject(new Error('the OS gave no free port'));
        });
      });
    }
    return ports;
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

export async function freePort(): Promise<number> {
  return (await freePorts(['port'])).port;
}

/** The last `lines` lines of `file` written after byte `from` (logs are appended to, start after start). */
export function logTail(file: string, from = 0, lines = 20): string {
  try {
    const text = fs.readFileSync(file).subarray(from).toString('utf8').trimEnd();
    return text ? text.split('\n').slice(-lines).join('\n') : '(nothing in the log)';
  } catch {
    return '(no log)';
  }
}

/** The program must be there before it is spawned: an ENOENT from spawn names no remedy. */
export function requireInstalled(definition: ServiceDefinition): void {
  if (!fs.existsSync(definition.command)) {
    throw new ServiceStartError(
      `${definition.command} is missing: run 'npm run setup' (or './temporal-dev.sh up' or 'npm test', which run it) first.`,
    );
  }
}

export interface LaunchedService {
  service: RunningService;
  /** Resolves once the service answers on its port; rejects with a ServiceStartError (log tail in it). */
  ready: Promise<void>;
}

/**
 * Spawns the service detached, its output appended to `logFile`. Returns at once, so that the caller can
 * record the pid before waiting (a crash while waiting must not lose track of the process).
 */
export function launchService(
  definition: ServiceDefinition,
  logFile: string,
  timeoutMs = 60_000,
): LaunchedService {
  requireInstalled(definition);
  const { child, logStart } = spawnLogging(definition, logFile);
  if (child.pid === undefined) {
    throw new ServiceStartError(`could not start ${definition.name} (${definition.command})`);
  }
  const ended = watchEnd(child);
  const service: RunningService = {
    name: definition.name,
    pid: child.pid,
    startTime: processStartTime(child.pid),
    port: definition.port,
    address: definition.address,
    logFile,
  };
  const ready = untilReady(definition, { logFile, logStart }, ended, timeoutMs);
  return { service, ready };
}

/** The service started detached, its output appended to `logFile` from `logStart` (bytes) on. */
function spawnLogging(
  definition: ServiceDefinition,
  logFile: string,
): { child: ChildProcess; logStart: number } {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const out = fs.openSync(logFile, 'a');
  const logStart = fs.fstatSync(out).size;
  let child: ChildProcess;
  try {
    // detached: setsid(), so the service is the leader of a new process group and session (no terminal
    // of ours can hang it up).
    child = spawn(definition.command, definition.args, { detached: true, stdio: ['ignore', out, out] });
  } finally {
    fs.closeSync(out);
  }
  child.unref();
  return { child, logStart };
}

/** How the child ended, once it has: its exit, or the error that kept it from running. */
interface ChildEnd {
  exitCode?: number | null;
  exitSignal: NodeJS.Signals | null;
  spawnError?: Error;
}

function watchEnd(child: ChildProcess): ChildEnd {
  const ended: ChildEnd = { exitSignal: null };
  child.once('exit', (code, signal) => {
    ended.exitCode = code;
    ended.exitSignal = signal;
  });
  // Without a listener, a failed exec (permissions, a broken binary) would be an uncaught exception.
  child.once('error', (err) => {
    ended.spawnError = err;
  });
  return ended;
}

/** Resolves once the service answers on its port; rejects if it ends first or does not answer in time. */
async function untilReady(
  definition: ServiceDefinition,
  log: { logFile: string; logStart: number },
  ended: ChildEnd,
  timeoutMs: number,
): Promise<void> {
  const { logFile, logStart } = log;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    // Exit first: a port that answers after our service died is someone else's.
    if (ended.spawnError) {
      throw new ServiceStartError(
        `could not start ${definition.name} (${definition.command}): ${ended.spawnError.message}`,
      );
    }
    if (ended.exitCode !== undefined) {
      const how = ended.exitSignal
        ? `was killed by ${ended.exitSignal}`
        : `exited with code ${ended.exitCode}`;
      throw new ServiceStartError(
        `${definition.name} ${how} during start-up; the end of its log (${logFile}):\n${logTail(logFile, logStart)}`,
      );
    }
    if (await portOpen(definition.port)) return;
    await sleep(200);
  }
  throw new ServiceStartError(
    `${definition.name} did not answer on port ${definition.port} within ${timeoutMs / 1000} s; ` +
      `the end of its log (${logFile}):\n${logTail(logFile, logStart)}`,
  );
}

/**
 * Stops the service's process group (SIGTERM, SIGKILL after `graceMs`) if it is still that service's:
 * a leader with another start time is a different program that got the pid, and is left alone. A group
 * whose leader is gone still has the service's children in it (a group id is not reused while any member
 * lives), so it is stopped too.
 */
export async function stopService(
  service: RunningService,
  graceMs = STOP_GRACE_MS,
): Promise<'terminated' | 'killed' | 'not-running'> {
  const startTime = processStartTime(service.pid);
  if (startTime !== undefined && service.startTime !== undefined && startTime !== service.startTime) {
    return 'not-running';
  }
  return terminateGroup(service.pid, graceMs);
}

/** Stops several services at once (each group gets its grace period in parallel). */
export async function stopServices(services: RunningService[], graceMs = STOP_GRACE_MS): Promise<void> {
  await Promise.all(services.map((service) => stopService(service, graceMs)));
}
