/**
 * Completed calculations → the training set: extxyz, the pacemaker dataset, the manifest and its hash;
 * a committee member's bootstrap resample; a several-element training's test split by composition class.
 */
export * from './atomic-file';
export * from './bootstrap-resample';
export * from './canonical-hash';
export * from './export-training-set';
export * from './extxyz-writer';
export * from './manifest';
export * from './stratified-split';
export { exclusionReason, MAX_INVALID_IDS_IN_FAILURE } from './selection-tally';
