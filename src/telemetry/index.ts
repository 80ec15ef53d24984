/**
 * Metrics: the process's Temporal runtime with a Prometheus endpoint (MLIP_METRICS_ADDRESS), the activity
 * interceptor that times every activity and counts its failures by type, and the fit's and the training
 * slots' instruments. Names, types and labels: metric-names.ts and docs/operations.md.
 */
export * from './activity-metrics';
export * from './fit-metrics';
export * from './metric-names';
export * from './runtime';
