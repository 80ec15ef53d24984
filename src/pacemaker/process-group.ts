// The process-group helpers moved to src/process/ (every child process uses them, not only pacemaker);
// this re-export keeps the older import path working until its callers move.
export * from '../process/process-group';
