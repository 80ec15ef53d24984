/**
 * Exploration by molecular dynamics (exploreStructures): the plan of runs, the seeds' query, the MD
 * explorer's protocol and the candidate documents its extrapolative frames become.
 */
export * from './explorer-protocol';
export * from './plan';
export * from './seed-query';
