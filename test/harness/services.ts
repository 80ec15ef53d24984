/**
 * Starts ephemeral instances of the real services for the test suite: a Temporal dev server (in-memory)
 * and the MongoDB-wire server (FerretDB, SQLite in a temp dir), on free ports, each in its own process
 * group so that teardown stops everything they spawned. Never touches the developer's dev stack.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { INSTALLED, PROJECT_ROOT } from '../../src/config/paths';
import { searchAttributeFlags } from '../../src/api/search-attributes';

export interface ServiceHandle {
  name: string;
  pid: number;
  logFile: string;
}

export interface TestServices {
  /** The jest process that owns these services. */
  ownerPid: number;
  temporalAddress: string;
  mongoUri: string;
  scratchDir: string;
  processes: ServiceHandle[];
}

/**
 * Where the harness records what it started, so teardown (and scripts/stop-test-services.js after a
 * crash) can stop it. One file per jest process: two test runs at once never stop each other's services.
 */
export const SERVICES_FILE = path.join(PROJECT_ROOT, '.test-results', `services-${process.pid}.json`);

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export async function waitForPort(
  port: number,
  child: ChildProcess,
  name: string,
  logFile: string,
  timeoutMs = 60_000,
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`${name} exited with code ${child.exitCode} during start-up:\n${tail(logFile)}`);
    }
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} did not answer on port ${port} within ${timeoutMs / 1000} s:\n${tail(logFile)}`);
}

function tail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '(no log)';
  }
}

function requireInstalled(file: string) {
  if (!fs.existsSync(file)) {
    throw new Error(`${file} is missing: run 'npm run setup' (or 'npm test', which runs it) first.`);
  }
}

export function launch(
  name: string,
  command: string,
  args: string[],
  logDir: string,
): { child: ChildProcess; handle: ServiceHandle } {
  const logFile = path.join(logDir, `${name}.log`);
  const out = fs.openSync(logFile, 'a');
  // detached: a process group of its own, so a kill of -pid reaches everything the service spawned.
  const child = spawn(command, args, { detached: true, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
  return { child, handle: { name, pid: child.pid, logFile } };
}

/** `port`: reuse a port (to restart a stopped server where its clients expect it). */
export async function startMongoWireServer(dataDir: string, logDir: string, port?: number) {
  requireInstalled(INSTALLED.mongoWireServer);
  port ??= await freePort();
  fs.mkdirSync(dataDir, { recursive: true });
  const { child, handle } = launch(
    'mongo-wire-server',
    INSTALLED.mongoWireServer,
    ['--listen-addr', `127.0.0.1:${port}`, '--sqlite-dir', dataDir],
    logDir,
  );
  await waitForPort(port, child, 'mongo-wire-server', handle.logFile);
  return { uri: `mongodb://127.0.0.1:${port}`, port, handle };
}

export async function startTemporalServer(logDir: string) {
  requireInstalled(INSTALLED.temporal);
  const [port, httpPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  const { child, handle } = launch(
    'temporal',
    INSTALLED.temporal,
    [
      'server',
      'start-dev',
      '--headless',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--http-port',
      String(httpPort),
      '--metrics-port',
      String(metricsPort),
      '--log-level',
      'warn',
      ...searchAttributeFlags(),
    ],
    logDir,
  );
  await waitForPort(port, child, 'temporal', handle.logFile);
  return { address: `127.0.0.1:${port}`, handle };
}

export async function startTestServices(): Promise<TestServices> {
  const scratchDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlip-test-'));
  const logDir = path.join(PROJECT_ROOT, '.test-results', 'logs');
  fs.mkdirSync(logDir, { recursive: true });
  const [temporal, mongo] = await Promise.all([
    startTemporalServer(logDir),
    startMongoWireServer(path.join(scratchDir, 'mongo'), logDir),
  ]);
  return {
    ownerPid: process.pid,
    temporalAddress: temporal.address,
    mongoUri: mongo.uri,
    scratchDir,
    processes: [temporal.handle, mongo.handle],
  };
}

/** SIGTERM each process group, then SIGKILL whatever is left after a grace period. */
export async function stopProcessGroups(handles: ServiceHandle[], graceMs = 5_000) {
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  for (const h of handles) {
    try {
      process.kill(-h.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
  const deadline = Date.now() + graceMs;
  while (handles.some((h) => alive(h.pid)) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 100));
  for (const h of handles) {
    try {
      process.kill(-h.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}
