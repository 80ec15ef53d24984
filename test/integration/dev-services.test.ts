/**
 * The dev services' two modes on the real servers: the persistent mode's `up` is idempotent and `down`
 * stops what `up` started (non-default ports, a temp data dir: never the developer's stack), a service
 * that dies during start-up is reported with its log, and stop-orphans stops only what a dead owner left.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {
  freePorts,
  persistentDown,
  persistentStatus,
  persistentUp,
  portOpen,
  ServiceStartError,
  stopOrphanedServices,
  type EphemeralServices,
  type PersistentConfig,
  type RunningService,
} from '../../src/dev-services';
import { launchService } from '../../src/dev-services/service-process';
import { groupAlive, processStartTime } from '../../src/process';
import { scratchDir } from '../harness/context';

function collect() {
  const lines: string[] = [];
  return { lines, say: (line: string) => lines.push(line) };
}

const pidsIn = (lines: string[]) =>
  lines
    .map((l) => /pid (\d+)/.exec(l)?.[1])
    .filter(Boolean)
    .map(Number);

test('persistent: up starts both, up again starts nothing, down stops what up started', async () => {
  const ports = await freePorts(['temporal', 'ui', 'mongo']);
  const config: PersistentConfig = {
    dataDir: scratchDir('dev-data'),
    temporalPort: ports.temporal,
    uiPort: ports.ui,
    mongoPort: ports.mongo,
  };
  const first = collect();
  try {
    await persistentUp(config, first.say);
    expect(first.lines).toEqual([
      expect.stringMatching(/^temporal: started \(pid \d+\)$/),
      expect.stringMatching(/^mongo: started \(pid \d+\)$/),
    ]);
    const pids = pidsIn(first.lines);
    expect(pids.every(groupAlive)).toBe(true);
    expect(await portOpen(config.temporalPort)).toBe(true);
    expect(await portOpen(config.mongoPort)).toBe(true);
    expect(fs.existsSync(path.join(config.dataDir, 'temporal.db'))).toBe(true);

    const second = collect();
    await persistentUp(config, second.say);
    expect(second.lines).toEqual([
      `temporal: already running (pid ${pids[0]})`,
      `mongo: already running (pid ${pids[1]})`,
    ]);

    const status = collect();
    persistentStatus(config, status.say);
    expect(status.lines.slice(0, 2)).toEqual([
      `temporal: running (pid ${pids[0]})`,
      `mongo: running (pid ${pids[1]})`,
    ]);
    expect(status.lines).toContain(
      `  Temporal gRPC  TEMPORAL_ADDRESS=127.0.0.1:${config.temporalPort} (namespace default)`,
    );

    const down = collect();
    await persistentDown(config, down.say);
    expect(down.lines).toEqual(['temporal: stopped', 'mongo: stopped']);
    expect(pids.some(groupAlive)).toBe(false);
    expect(await portOpen(config.temporalPort)).toBe(false);
    expect(fs.existsSync(path.join(config.dataDir, 'temporal.pid'))).toBe(false);

    const after = collect();
    persistentStatus(config, after.say);
    expect(after.lines.slice(0, 2)).toEqual(['temporal: not running', 'mongo: not running']);
    const downAgain = collect();
    await persistentDown(config, downAgain.say);
    expect(downAgain.lines).toEqual(['temporal: not running', 'mongo: not running']);
  } finally {
    await persistentDown(config, () => {});
  }
}, 60_000);

test('persistent: a port something else holds is refused before anything starts', async () => {
  const ports = await freePorts(['temporal', 'ui', 'mongo']);
  const config: PersistentConfig = {
    dataDir: scratchDir('dev-data-busy'),
    temporalPort: ports.temporal,
    uiPort: ports.ui,
    mongoPort: ports.mongo,
  };
  const squatter = net.createServer();
  await new Promise<void>((resolve) => squatter.listen(config.mongoPort, '127.0.0.1', resolve));
  try {
    await expect(persistentUp(config, () => {})).rejects.toThrow(
      `port ${config.mongoPort} is in use by another process, so mongo cannot start.`,
    );
    expect(fs.existsSync(path.join(config.dataDir, 'temporal.pid'))).toBe(false);
  } finally {
    squatter.close();
  }
});

test('a service that exits during start-up is reported with the end of its log', async () => {
  const dir = scratchDir('exits');
  const logFile = path.join(dir, 'broken.log');
  fs.writeFileSync(logFile, 'a line of an earlier run\n');
  const started = launchService(
    {
      name: 'broken',
      command: '/bin/sh',
      args: ['-c', 'echo "cannot open the data dir" >&2; exit 3'],
      port: (await freePorts(['p'])).p,
      otherPorts: [],
      commandMatch: 'exit 3',
      address: 'nowhere',
    },
    logFile,
  );
  const failure = started.ready.catch((err: unknown) => err);
  expect(await failure).toBeInstanceOf(ServiceStartError);
  const message = ((await failure) as Error).message;
  expect(message).toContain('broken exited with code 3 during start-up');
  expect(message).toContain('cannot open the data dir');
  expect(message).not.toContain('an earlier run'); // only what this start wrote
});

/** A detached `sleep`: a process group of its own, as a service has. */
function detachedSleep(): RunningService {
  const child = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
  child.unref();
  const pid = child.pid!; // spawn of sleep does not fail here
  return { name: 'sleep', pid, startTime: processStartTime(pid), port: 0, address: '-', logFile: '-' };
}

function writeRecord(
  dir: string,
  name: string,
  owner: { pid: number; startTime?: string },
  service: RunningService,
) {
  const scratch = fs.mkdtempSync(path.join(dir, 'scratch-'));
  const record: EphemeralServices = {
    ownerPid: owner.pid,
    ownerStartTime: owner.startTime,
    temporalAddress: '-',
    mongoUri: '-',
    scratchDir: scratch,
    services: [service],
    recordFile: path.join(dir, name),
  };
  fs.writeFileSync(record.recordFile, JSON.stringify(record));
  return record;
}

test('stop-orphans stops the services of a dead owner and leaves a live owner alone', async () => {
  const dir = scratchDir('records');
  // A dead owner: a process that has exited (its pid, and a start time no process has now).
  const gone = spawn('true');
  await new Promise((resolve) => gone.once('exit', resolve));
  const orphan = writeRecord(
    dir,
    `services-${gone.pid}-1.json`,
    { pid: gone.pid!, startTime: 'gone' },
    detachedSleep(),
  );
  // The same pid as ours but another start time: a reused pid is not the owner either.
  const reused = writeRecord(
    dir,
    `services-${process.pid}-7.json`,
    { pid: process.pid, startTime: 'earlier' },
    detachedSleep(),
  );
  const live = writeRecord(
    dir,
    `services-${process.pid}-8.json`,
    { pid: process.pid, startTime: processStartTime(process.pid) },
    detachedSleep(),
  );
  try {
    const report = await stopOrphanedServices(dir);
    expect(report).toHaveLength(2);
    expect(groupAlive(orphan.services[0]!.pid)).toBe(false);
    expect(groupAlive(reused.services[0]!.pid)).toBe(false);
    expect(fs.existsSync(orphan.recordFile) || fs.existsSync(orphan.scratchDir)).toBe(false);
    expect(groupAlive(live.services[0]!.pid)).toBe(true);
    expect(fs.existsSync(live.recordFile)).toBe(true);
  } finally {
    for (const record of [orphan, reused, live]) {
      try {
        process.kill(-record.services[0]!.pid, 'SIGKILL');
      } catch {
        /* stopped already */
      }
    }
  }
});
