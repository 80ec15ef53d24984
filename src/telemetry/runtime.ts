/**
 * The process's Temporal runtime, with or without a Prometheus endpoint. The runtime is one per process and
 * fixed when it is made, which happens at the first connection: so this runs once, before any connection.
 */
import { IllegalStateError } from '@temporalio/common';
import { Runtime } from '@temporalio/worker';
import type { Env } from '../config';
import { MLIP_METRICS, SECONDS_BUCKETS } from './metric-names';

export interface InstalledRuntime {
  /** `http://<address>/metrics`, when MLIP_METRICS_ADDRESS turned metrics on. */
  metricsUrl?: string;
}

/**
 * Installs the runtime: with MLIP_METRICS_ADDRESS, the SDK's metrics and this package's (`mlip_`) are
 * served at `http://<address>/metrics`; with `off`, the SDK's defaults. Throws when a runtime exists
 * already (something connected first) or the address cannot be bound.
 */
export function installRuntime(
  env: Pick<Env, 'MLIP_METRICS_ADDRESS'>,
  log: (line: string) => void = () => {},
): InstalledRuntime {
  const address = env.MLIP_METRICS_ADDRESS === 'off' ? undefined : env.MLIP_METRICS_ADDRESS;
  try {
    Runtime.install(
      address
        ? {
            telemetryOptions: {
              metrics: {
                prometheus: {
                  bindAddress: address,
                  histogramBucketOverrides: {
                    [MLIP_METRICS.phaseSeconds.name]: SECONDS_BUCKETS,
                    [MLIP_METRICS.activitySeconds.name]: SECONDS_BUCKETS,
                  },
                },
              },
            },
          }
        : {},
    );
  } catch (err) {
    if (err instanceof IllegalStateError)
      throw new Error(
        "the Temporal runtime was made before its telemetry was installed: installRuntime must run before the process's first connection",
      );
    if (address)
      throw new Error(`cannot serve metrics on MLIP_METRICS_ADDRESS=${address}: ${(err as Error).message}`);
    throw err;
  }
  if (!address) return {};
  const metricsUrl = `http://${address}/metrics`;
  log(`metrics (Prometheus) at ${metricsUrl}`);
  return { metricsUrl };
}
