/**
 * The workflows' public contract: what callers send (TrainingRequest with its TrainerParams, scoring and
 * round inputs) and get back (results, progress, failure types by name), the queries and signals, the search
 * attributes, and the vocabulary they share (elements, potential ids, names). Pure: no I/O and no Node
 * APIs, because workflow code imports it (lint holds this folder to that).
 */
export * from './active-learning';
export * from './committee';
export * from './elements';
export * from './exploration';
export * from './metrics';
export * from './names';
export * from './potential-id';
export * from './progress';
export * from './progress-reports';
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
