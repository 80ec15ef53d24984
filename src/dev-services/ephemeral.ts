/**
 * The ephemeral mode, for jest's global setup and the benches: a Temporal dev server in memory and a
 * MongoDB-wire server in a temp dir, on free ports, never the developer's persistent stack. What was
 * started is recorded in a services file (RECORDS_DIR/services-<owner pid>-<n>.json) before anything is
 * waited for, so that after a crash of the owner `stop-orphans` finds and stops the leftovers; services
 * whose owner still runs are never touched.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { PROJECT_ROOT } from '../config';
import { processStartTime } from '../process';
import {
  mongoWireServer,
  temporalDevServer,
  tlsTerminator,
  tlsTerminatorConfig,
  type ServiceDefinition,
  type TlsTerminatorOptions,
} from './definitions';
import {
  freePort,
  freePorts,
  launchService,
  stopService,
  stopServices,
  type LaunchedService,
} from './service-process';

/** Where services files are written (git-ignored; scripts/test.sh's exit trap looks here). */
export const EPHEMERAL_RECORDS_DIR = path.join(PROJECT_ROOT, '.test-results');
/** The servers' logs, appended to run after run. */
export const EPHEMERAL_LOG_DIR = path.join(EPHEMERAL_RECORDS_DIR, 'logs');
/** Ephemeral servers hold nothing worth a clean shutdown: a short grace before SIGKILL. */
const EPHEMERAL_STOP_GRACE_MS = 5_000;

const RunningServiceSchema = z.object({
  name: z.string(),
  pid: z.number().int().positive(),
  startTime: z.string().optional(),
  port: z.number().int(),
  address: z.string(),
  logFile: z.string(),
});

const ServicesRecordSchema = z.object({
  /** The process that started the services and stops them at its end. */
  ownerPid: z.number().int().positive(),
  /** The owner's start time: a later process that reuses the pid is not the owner. */
  ownerStartTime: z.string().optional(),
  temporalAddress: z.string(),
  mongoUri: z.string(),
  /** Temp dir of the run (the MongoDB data, the tests' scratch dirs): removed with the services. */
  scratchDir: z.string(),
  services: z.array(RunningServiceSchema),
  recordFile: z.string(),
});

export type EphemeralServices = z.infer<typeof ServicesRecordSchema>;

const RECORD_NAME = /^services-(\d+)(-\d+)?\.json$/;
let recordsWritten = 0;

/** Written whole or not at all: stop-orphans may read it at any moment. */
function writeRecord(record: EphemeralServices): void {
  fs.mkdirSync(path.dirname(record.recordFile), { recursive: true });
  const temporary = `${record.recordFile}.tmp`;
  fs.writeFileSync(temporary, JSON.stringify(record, null, 2));
  fs.renameSync(temporary, record.recordFile);
}

export function readServicesRecord(file: string): EphemeralServices {
  return ServicesRecordSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
}

export interface EphemeralOptions {
  recordsDir?: string;
  logDir?: string;
}

export interface EphemeralPorts {
  temporal: number;
  /** Temporal's HTTP API and /metrics endpoint: given, so that they never land on a port in use. */
  http: number;
  metrics: number;
  mongo: number;
}

/** The ephemeral stack: Temporal in memory without a Web UI, the MongoDB-wire server in `mongoDir`. */
export function ephemeralDefinitions(ports: EphemeralPorts, mongoDir: string) {
  return {
    temporal: temporalDevServer({
      port: ports.temporal,
      ui: 'headless',
      httpPort: ports.http,
      metricsPort: ports.metrics,
    }),
    mongo: mongoWireServer({ port: ports.mongo, sqliteDir: mongoDir }),
  };
}

/** Starts both servers, records them, and waits until both answer; stops both if either fails. */
export async function startEphemeralServices(options: EphemeralOptions = {}): Promise<EphemeralServices> {
  const recordsDir = options.recordsDir ?? EPHEMERAL_RECORDS_DIR;
  const logDir = options.logDir ?? EPHEMERAL_LOG_DIR;
  const scratchDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlip-test-'));
  const ports = await freePorts(['temporal', 'http', 'metrics', 'mongo']);
  const mongoDir = path.join(scratchDir, 'mongo');
  fs.mkdirSync(mongoDir, { recursive: true });
  const { temporal, mongo } = ephemeralDefinitions(ports, mongoDir);
  const record: EphemeralServices = {
    ownerPid: process.pid,
    ownerStartTime: processStartTime(process.pid),
    temporalAddress: temporal.address,
    mongoUri: mongo.address,
    scratchDir,
    services: [],
    recordFile: path.join(recordsDir, `services-${process.pid}-${++recordsWritten}.json`),
  };
  const launched: LaunchedService[] = [];
  try {
    for (const definition of [temporal, mongo]) {
      const started = launchService(definition, path.join(logDir, `${definition.name}.log`));
      launched.push(started);
      record.services.push(started.service);
      writeRecord(record);
    }
    await Promise.all(launched.map((l) => l.ready));
  } catch (err) {
    await stopEphemeralServices(record);
    throw err;
  }
  return record;
}

/** Stops the servers, removes their temp dir and their services file. */
export async function stopEphemeralServices(services: EphemeralServices): Promise<void> {
  await stopServices(services.services, EPHEMERAL_STOP_GRACE_MS);
  fs.rmSync(services.scratchDir, { recursive: true, force: true });
  fs.rmSync(services.recordFile, { force: true });
}

/** Whether the process that recorded the services still runs (the same process, not a reuse of its pid). */
function ownerAlive(record: EphemeralServices): boolean {
  const startTime = processStartTime(record.ownerPid);
  if (startTime === undefined) return false;
  return record.ownerStartTime === undefined || record.ownerStartTime === startTime;
}

/**
 * Stops the services of every services file whose owner is gone (a crashed or killed jest or bench) and
 * removes their temp dirs; files of live owners are left alone. Returns one line per file it handled.
 */
export async function stopOrphanedServices(recordsDir = EPHEMERAL_RECORDS_DIR): Promise<string[]> {
  const names = fs.existsSync(recordsDir) ? fs.readdirSync(recordsDir) : [];
  const report: string[] = [];
  for (const name of names.filter((n) => RECORD_NAME.test(n))) {
    const file = path.join(recordsDir, name);
    let record: EphemeralServices;
    try {
      record = readServicesRecord(file);
    } catch (err) {
      report.push(`${file}: unreadable, left alone (${err instanceof Error ? err.message : String(err)})`);
      continue;
    }
    if (ownerAlive(record)) continue;
    const outcomes = await Promise.all(
      record.services.map(
        async (s) => `${s.name} (pid ${s.pid}) ${await stopService(s, EPHEMERAL_STOP_GRACE_MS)}`,
      ),
    );
    fs.rmSync(record.scratchDir, { recursive: true, force: true });
    fs.rmSync(file, { force: true });
    report.push(`services of pid ${record.ownerPid}, which is gone: ${outcomes.join(', ')}`);
  }
  return report;
}

/**
 * A MongoDB-wire server on its own (tests that stop and restart it, the fetch bench), not recorded:
 * its caller stops it with stopServices([handle]). `port`: reuse a port, to restart a stopped server where
 * its clients expect it.
 */
export async function startMongoWireServer(dataDir: string, logDir: string, port?: number) {
  port ??= await freePort();
  fs.mkdirSync(dataDir, { recursive: true });
  const definition = mongoWireServer({ port, sqliteDir: dataDir });
  const handle = await launchUnrecorded(definition, logDir);
  return { uri: definition.address, port, handle };
}

/** Launches a service the records do not track and waits for it; one that fails to start is stopped. */
async function launchUnrecorded(definition: ServiceDefinition, logDir: string, timeoutMs?: number) {
  const started = launchService(definition, path.join(logDir, `${definition.name}.log`), timeoutMs);
  try {
    await started.ready;
  } catch (err) {
    await stopService(started.service, EPHEMERAL_STOP_GRACE_MS);
    throw err;
  }
  return started.service;
}

/**
 * A TLS terminator (nginx, mutual TLS) in front of a running Temporal server, not recorded: its caller
 * stops it with stopServices([handle]). Options as tlsTerminatorConfig's, less the port (a free one).
 */
export async function startTlsTerminator(options: Omit<TlsTerminatorOptions, 'port'>, logDir: string) {
  const port = await freePort();
  fs.mkdirSync(options.dir, { recursive: true });
  fs.writeFileSync(path.join(options.dir, 'nginx.conf'), tlsTerminatorConfig({ ...options, port }));
  const definition = tlsTerminator({ ...options, port });
  const handle = await launchUnrecorded(definition, logDir, 20_000);
  return { address: definition.address, port, handle };
}
