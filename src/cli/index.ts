/** The `mlip-train` command line: `main(argv, io)` runs one command and returns its exit code. */
export { main } from './main';
export type { CliIo } from './command';
export * from './live-progress';
export { breakdownLines } from './trainings';
