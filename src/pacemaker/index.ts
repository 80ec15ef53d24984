/**
 * Everything that speaks pacemaker: TrainerParams → input.yaml (and its explanation), warm starts, the
 * basis size, the dry run, checkpoints and resumes, the log and metrics parsers, the active set, which
 * evaluators a host has.
 */
export * from './active-set';
export * from './backend-probe-cache';
export * from './backends';
export * from './basis-size';
export * from './checkpoint';
export * from './dry-run';
export * from './explain';
export * from './fit-threads';
export * from './inner-cutoff';
export * from './input-yaml';
export * from './log-tail';
export * from './metrics-table';
export * from './progress-parser';
export * from './reference-energy';
export * from './resume-plan';
export * from './species-blocks';
export * from './warm-start';
