/**
 * The training workers a host runs (shared queue + host queue), in a process of their own or in-process.
 */
export * from './create-workers';
export * from './in-process';
export * from './stale-workspaces';
