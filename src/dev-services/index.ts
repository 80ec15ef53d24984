/**
 * The local services (Temporal dev server, MongoDB-wire server), defined once (definitions.ts) and run
 * in two modes: persistent, behind ./temporal-dev.sh (cli.ts), and ephemeral, for jest's global setup and
 * the benches. Each service runs in a process group of its own and is stopped through src/process.
 */
export {
  LOCALHOST,
  mongoWireServer,
  temporalDevServer,
  tlsTerminator,
  tlsTerminatorConfig,
  type MongoWireServerOptions,
  type TlsTerminatorOptions,
  type ServerLogLevel,
  type ServiceDefinition,
  type TemporalDevServerOptions,
} from './definitions';
export {
  EPHEMERAL_LOG_DIR,
  EPHEMERAL_RECORDS_DIR,
  ephemeralDefinitions,
  readServicesRecord,
  startEphemeralServices,
  startMongoWireServer,
  startTlsTerminator,
  stopEphemeralServices,
  stopOrphanedServices,
  type EphemeralOptions,
  type EphemeralPorts,
  type EphemeralServices,
} from './ephemeral';
export {
  DEFAULT_PORTS,
  DEV_DATA_DIR,
  DevServicesError,
  persistentConfigFromEnv,
  persistentDefinitions,
  persistentDown,
  persistentStatus,
  persistentUp,
  runningPid,
  type PersistentConfig,
} from './persistent';
export {
  freePort,
  freePorts,
  portOpen,
  ServiceStartError,
  stopService,
  stopServices,
  type RunningService,
} from './service-process';
