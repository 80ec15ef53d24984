/**
 * Worker and CLI settings, read from the environment and validated once at start-up. Connection strings
 * live only here: they never enter workflow input, results, heartbeats or history.
 */
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { INSTALLED, PROJECT_ROOT } from './paths';
import { withTemporalProfile } from './temporal-profile';

const positiveInt = z.coerce.number().int().positive();
const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], 'must be true or false')
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** `off`, or ip:port for a Prometheus endpoint (`0.0.0.0:9464`, `[::1]:9464`): the SDK binds addresses, not names. */
const metricsAddress = z.string().refine((v) => {
  if (v === 'off') return true;
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([0-9.]+)):(\d{1,5})$/.exec(v);
  const port = Number(m?.[3]);
  return m !== null && net.isIP(m[1] ?? m[2] ?? '') !== 0 && port >= 1 && port <= 65535;
}, 'must be off or ip:port, such as 0.0.0.0:9464 or 127.0.0.1:9464');

const pemFile = z.string().min(1).optional();
const pemData = z
  .string()
  .includes('-----BEGIN', { message: 'must be PEM text (-----BEGIN ...)' })
  .optional();

export const EnvSchema = z.object({
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233').describe('Temporal frontend host:port'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default').describe('Temporal namespace'),
  // Secured clusters and Temporal Cloud, named as the `temporal` CLI and the SDKs' env-config name them.
  TEMPORAL_API_KEY: z
    .string()
    .min(1)
    .optional()
    .describe('API key (Temporal Cloud); turns TLS on. A secret: never logged'),
  TEMPORAL_TLS: flag
    .optional()
    .describe('TLS to the frontend; on by itself when a TLS file, server name or API key is set'),
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: pemFile.describe(
    "CA that signed the server's certificate (default: the system's)",
  ),
  TEMPORAL_TLS_SERVER_CA_CERT_DATA: pemData.describe('the same, as PEM text'),
  TEMPORAL_TLS_SERVER_NAME: z
    .string()
    .min(1)
    .optional()
    .describe("name the server's certificate is checked against (default: the address's host)"),
  TEMPORAL_TLS_CLIENT_CERT_PATH: pemFile.describe('client certificate for mutual TLS (with its key)'),
  TEMPORAL_TLS_CLIENT_CERT_DATA: pemData.describe('the same, as PEM text'),
  TEMPORAL_TLS_CLIENT_KEY_PATH: pemFile.describe("the client certificate's private key"),
  TEMPORAL_TLS_CLIENT_KEY_DATA: pemData.describe('the same, as PEM text. A secret: never logged'),
  TEMPORAL_CONFIG_FILE: z
    .string()
    .min(1)
    .optional()
    .describe('Temporal client config file (TOML profiles; default ~/.config/temporalio/temporal.toml)'),
  TEMPORAL_PROFILE: z
    .string()
    .min(1)
    .optional()
    .describe('profile of that file (default: default); the environment overrides its values'),
  MLIP_TASK_QUEUE: z
    .string()
    .min(1)
    .default('mlip-training')
    .describe('shared task queue: workflows and acquireWorkspace'),
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
    .default('mongodb://127.0.0.1:27017')
    .describe('MongoDB connection string; read by workers only, never put in workflow input'),
  MLIP_DB: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,63}$/, 'letters, digits, _ and - only')
    .default('mlip')
    .describe('database holding calculations, candidates and potentials'),
  MLIP_HOST_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}$/, 'letters, digits, ".", "_" and "-" only')
    .default(os.hostname().replace(/[^A-Za-z0-9._-]/g, '-'))
    .describe(
      'stable id of this training host, kept across restarts; its task queue is MLIP_TASK_QUEUE@MLIP_HOST_ID',
    ),
  MLIP_WORK_ROOT: z
    .string()
    .min(1)
    .default(path.join(PROJECT_ROOT, '.mlip', 'work'))
    .describe('where workspaces are made'),
  MLIP_SHARED_WORK_ROOT: flag
    .default(false)
    .describe(
      "MLIP_WORK_ROOT is one file system mounted at the same path on every training host: a host takes over a lost host's workspace and continues its fit from the checkpoint",
    ),
  MLIP_DRAIN_SECONDS: positiveInt
    .default(60)
    .describe(
      "on SIGTERM, how long running fits get to stop at a checkpoint before they are killed (keep a service manager's stop timeout above it)",
    ),
  MLIP_POTENTIALS_DIR: z
    .string()
    .min(1)
    .default(path.join(PROJECT_ROOT, '.mlip', 'potentials'))
    .describe('where published potentials are stored'),
  MLIP_MAX_CONCURRENT_TRAININGS: positiveInt.default(1).describe('trainings one host runs at once'),
  MLIP_FIT_THREADS: positiveInt
    .optional()
    .describe(
      "CPU threads each fit uses (TensorFlow's pools, OpenMP); unset: the host's cores shared among MLIP_MAX_CONCURRENT_TRAININGS",
    ),
  PACEMAKER_BIN: z.string().min(1).default(INSTALLED.pacemaker).describe('pacemaker executable'),
  PACE_YAML2YACE_BIN: z
    .string()
    .min(1)
    .default(INSTALLED.paceYaml2Yace)
    .describe('pace_yaml2yace executable'),
  PACE_ACTIVESET_BIN: z
    .string()
    .min(1)
    .default(INSTALLED.paceActiveset)
    .describe('pace_activeset executable (active set for extrapolation grades)'),
  MLIP_PYTHON: z
    .string()
    .min(1)
    .default(INSTALLED.python)
    .describe("Python with pacemaker's packages, for the helpers"),
  MLIP_METRICS_ADDRESS: metricsAddress
    .default('off')
    .describe(
      "ip:port where the worker serves Prometheus metrics at /metrics (the SDK's temporal_* and the trainer's mlip_*); off: none",
    ),
});

export type Env = z.infer<typeof EnvSchema>;

/**
 * Parses the environment, with a Temporal config file's profile (temporal-profile.ts) for the TEMPORAL_*
 * variables it does not set; the error names each bad variable and what it must look like.
 */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const set = Object.fromEntries(
    Object.entries(source).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''),
  );
  let present: Record<string, string>;
  try {
    present = withTemporalProfile(set);
  } catch (err) {
    throw new Error(`invalid environment:\n  ${(err as Error).message}`);
  }
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid environment:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/** The task queue of one training host: stable across worker restarts on the same host. */
export function hostTaskQueue(sharedQueue: string, hostId: string): string {
  return `${sharedQueue}@${hostId}`;
}
