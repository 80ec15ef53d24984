/**
 * Every metric this package defines, in one place: the instruments are created from these entries, and
 * docs/operations.md and docs/grafana-dashboard.json are checked against them (test/unit/telemetry.test.ts).
 * The SDK's own metrics (prefix `temporal_`) come out of the same Prometheus endpoint beside them.
 */

/**
 * Labels of every metric recorded inside an activity: the tags the TypeScript SDK's activity meter gives
 * (spelt as it spells them: the SDK's Core metrics say `activity_type` and `task_queue` instead), and the
 * worker's host (src/telemetry/activity-metrics.ts).
 */
export const ACTIVITY_LABELS = ['host', 'activityType', 'taskQueue', 'namespace'] as const;

export interface MetricDefinition {
  name: string;
  type: 'counter' | 'gauge' | 'histogram';
  labels: readonly string[];
  /** The HELP line Prometheus shows. */
  help: string;
}

export const MLIP_METRICS = {
  trainingSlots: {
    name: 'mlip_training_slots',
    type: 'gauge',
    labels: ['host'],
    help: 'fits this host runs at once (MLIP_MAX_CONCURRENT_TRAININGS)',
  },
  trainingsRunning: {
    name: 'mlip_trainings_running',
    type: 'gauge',
    labels: ['host'],
    help: 'fits holding a training slot on this host (pacemaker running or its output being converted)',
  },
  trainingsWaiting: {
    name: 'mlip_trainings_waiting',
    type: 'gauge',
    labels: ['host'],
    help: 'fits on this host waiting for a training slot (phase waiting-for-slot)',
  },
  fitIterations: {
    name: 'mlip_fit_iterations_total',
    type: 'counter',
    labels: ACTIVITY_LABELS,
    help: 'pacemaker optimiser iterations completed (rate() of it: iterations per second)',
  },
  phaseSeconds: {
    name: 'mlip_training_phase_seconds',
    type: 'histogram',
    labels: [...ACTIVITY_LABELS, 'phase'],
    help: 'seconds spent in each phase of executeTraining that ended (waiting-for-slot, preparing, fitting, converting)',
  },
  activitySeconds: {
    name: 'mlip_activity_duration_seconds',
    type: 'histogram',
    labels: [...ACTIVITY_LABELS, 'outcome'],
    help: 'seconds each activity attempt ran, by outcome (completed, failed, cancelled)',
  },
  activityFailures: {
    name: 'mlip_activity_failures_total',
    type: 'counter',
    labels: [...ACTIVITY_LABELS, 'failure_type'],
    help: 'activity attempts that failed, by ApplicationFailure type (src/api/failures.ts FailureType, or the error name)',
  },
} as const satisfies Record<string, MetricDefinition>;

/** Prefix of the metrics the Temporal SDK exports itself (worker, task slots, polls, latencies). */
export const SDK_METRIC_PREFIX = 'temporal_';

/**
 * Histogram buckets in seconds: from a sub-second MongoDB read to a fit of days (a week is the longest
 * wait for a host, 30 days the longest fit). The SDK's default buckets (50 … 10,000) suit milliseconds.
 */
export const SECONDS_BUCKETS = [
  0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 43200, 86400, 259200,
  604800, 2592000,
];
