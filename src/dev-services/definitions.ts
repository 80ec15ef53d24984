/**
 * The one definition of the local services: the command line of the Temporal dev server, of the
 * MongoDB-wire server and of the TLS terminator (nginx) that can stand in front of Temporal. Both modes (persistent, for `./temporal-dev.sh`; ephemeral, for tests and benches)
 * build their processes from these, so the flags and the search attributes cannot drift apart. Pure.
 */
import { searchAttributeFlags } from '../api';
import path from 'node:path';
import { INSTALLED, SYSTEM_NGINX } from '../config';

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

export interface TlsTerminatorOptions {
  /** Where clients connect with TLS. */
  port: number;
  /** The plaintext gRPC address it forwards to (the dev server's). */
  upstream: string;
  /** PEM files: the server's certificate and key, and the CA whose client certificates it accepts. */
  serverCert: string;
  serverKey: string;
  clientCa: string;
  /** nginx's prefix: its config, pid and temp files go here. */
  dir: string;
  ip?: string;
}

/**
 * nginx's configuration for a TLS terminator that requires a client certificate signed by `clientCa`
 * (mutual TLS, as a secured cluster or Temporal Cloud does) and passes gRPC on over HTTP/2. Pure.
 */
export function tlsTerminatorConfig(options: TlsTerminatorOptions): string {
  const ip = options.ip ?? LOCALHOST;
  const file = (name: string) => path.join(options.dir, name);
  return [
    'daemon off;',
    // One process, stopped with its group like the other services.
    'master_process off;',
    `pid ${file('nginx.pid')};`,
    `error_log ${file('error.log')} info;`,
    'events { worker_connections 1024; }',
    'http {',
    '  access_log off;',
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(
      (t) => `  ${t}_temp_path ${file(`${t}-temp`)};`,
    ),
    '  server {',
    `    listen ${ip}:${options.port} ssl http2;`,
    `    ssl_certificate ${options.serverCert};`,
    `    ssl_certificate_key ${options.serverKey};`,
    `    ssl_client_certificate ${options.clientCa};`,
    '    ssl_verify_client on;',
    // Workers long-poll for a minute and more; workflow task completions can exceed nginx's 1 MB default.
    '    grpc_read_timeout 600s;',
    '    grpc_send_timeout 600s;',
    '    client_max_body_size 0;',
    `    location / { grpc_pass grpc://${options.upstream}; }`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** nginx with tlsTerminatorConfig written to `<dir>/nginx.conf` (the caller writes it). */
export function tlsTerminator(options: TlsTerminatorOptions): ServiceDefinition {
  const ip = options.ip ?? LOCALHOST;
  return {
    name: 'tls-terminator',
    command: SYSTEM_NGINX,
    args: ['-p', options.dir, '-c', path.join(options.dir, 'nginx.conf')],
    port: options.port,
    otherPorts: [],
    commandMatch: path.join(options.dir, 'nginx.conf'),
    address: `${ip}:${options.port}`,
  };
}
