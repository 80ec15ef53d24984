/**
 * The one way this package runs a child process (run-process.ts); on it, the project's Python helpers
 * (python-helper.ts) and the long tools that keep a pid file and a log in a workspace (recorded-process.ts);
 * and control of a process group.
 */
export * from './process-group';
export * from './python-helper';
export * from './recorded-process';
export * from './run-process';
export * from './semaphore';
