/**
 * The workflows' public contract: what callers send (TrainingRequest with its TrainerParams, scoring and
 * round inputs) and get back (results, the dataset summary, progress), every ApplicationFailure type they
 * raise (failures.ts), the queries and signals, the search attributes, and the vocabulary they share
 * (elements, potential ids, names). Pure: no I/O and no Node APIs, because workflow code imports it; and
 * self-contained: it imports nothing of this package outside itself, types included, so every folder may
 * build on it and it on none (lint holds this folder to both).
 */
export * from './active-learning';
export * from './committee';
export * from './dataset-summary';
export * from './elements';
export * from './exploration';
export * from './failures';
export * from './metrics';
export * from './names';
export * from './potential-id';
export * from './progress';
export * from './progress-reports';
export * from './resolution';
export * from './resolve-request';
export * from './scoring-messages';
export * from './scoring-request';
export * from './scoring-result';
export * from './search-attributes';
export * from './selection';
export * from './trainer-params';
export * from './training-messages';
export * from './training-request';
export * from './training-result';
