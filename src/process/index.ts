/**
 * The one way this package runs a child process (run-process.ts) and controls its process group.
 */
export * from './process-group';
export * from './run-process';
export * from './semaphore';
