/**
 * The one definition of the local services: the command line of the Temporal dev server and of the
 * MongoDB-wire server. Both modes (persistent, for `./temporal-dev.sh`; ephemeral, for tests and benches)
 * build their processes from these, so the flags and the search attributes cannot drift apart. Pure.
 */
import { searchAttributeFlags } from '../api';
import { INSTALLED } from '../config';

/** A service to start: the program, its arguments, and how to recognise and reach it once it runs. */
export interface ServiceDefinition {
  /** Short name: names its log file, pid file and messages ("temporal", "mongo"). */
  name: string;
  command: string;
  args: string[];
  /** The port that answers once the service is ready (start-up waits for it). */
  port: number;
  /** Further ports it listens on; something else holding one of them would make it fail. */
  otherPorts: number[];
  /**
   * Text found in /proc/PID/cmdline (arguments joined by spaces) of this service and of no unrelated
   * program: a pid file's pid is trusted only while it still runs this (pids are reused).
   */
  commandMatch: string;
  /** What clients set to reach it: TEMPORAL_ADDRESS or MONGODB_URI. */
  address: string;
}

export type ServerLogLevel = 'debug' | 'info' | 'warn' | 'error';

export const LOCALHOST = '127.0.0.1';

export interface TemporalDevServerOptions {
  port: number;
  /** The Web UI's port, or 'headless' for none (tests need no UI). */
  ui: { port: number } | 'headless';
  /** The HTTP API's port; the CLI picks a random free one when absent. */
  httpPort?: number;
  /** The /metrics endpoint's port; the CLI picks a random free one when absent. */
  metricsPort?: number;
  /** Temporal's SQLite file; absent: in memory (workflow histories are lost when the server stops). */
  dbFile?: string;
  logLevel?: ServerLogLevel;
  ip?: string;
}

/** `temporal server start-dev` with the project's search attributes registered. */
export function temporalDevServer(options: TemporalDevServerOptions): ServiceDefinition {
  const ip = options.ip ?? LOCALHOST;
  const args = ['server', 'start-dev', '--ip', ip, '--port', String(options.port)];
  if (options.ui === 'headless') args.push('--headless');
  // The newsfeed is fetched from the internet, which a dev machine here may not reach.
  else args.push('--ui-port', String(options.ui.port), '--ui-disable-news-fetch');
  if (options.httpPort !== undefined) args.push('--http-port', String(options.httpPort));
  if (options.metricsPort !== undefined) args.push('--metrics-port', String(options.metricsPort));
  if (options.dbFile !== undefined) args.push('--db-filename', options.dbFile);
  args.push('--log-level', options.logLevel ?? 'warn', ...searchAttributeFlags());
  const otherPorts = [
    ...(options.ui === 'headless' ? [] : [options.ui.port]),
    ...(options.httpPort !== undefined ? [options.httpPort] : []),
    ...(options.metricsPort !== undefined ? [options.metricsPort] : []),
  ];
  return {
    name: 'temporal',
    command: INSTALLED.temporal,
    args,
    port: options.port,
    otherPorts,
    commandMatch: 'server start-dev',
    address: `${ip}:${options.port}`,
  };
}

export interface MongoWireServerOptions {
  port: number;
  /** One SQLite file per MongoDB database is kept here. */
  sqliteDir: string;
  ip?: string;
}

/** The FerretDB-embedding server that scripts/setup.sh builds from mongo-wire-server/. */
export function mongoWireServer(options: MongoWireServerOptions): ServiceDefinition {
  const ip = options.ip ?? LOCALHOST;
  return {
    name: 'mongo',
    command: INSTALLED.mongoWireServer,
    args: ['--listen-addr', `${ip}:${options.port}`, '--sqlite-dir', options.sqliteDir],
    port: options.port,
    otherPorts: [],
    commandMatch: 'mongo-wire-server',
    address: `mongodb://${ip}:${options.port}`,
  };
}
