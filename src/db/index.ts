/**
 * MongoDB plumbing shared by the collections: the connection (one per worker) and how driver errors map
 * to retryable or non-retryable failures.
 */
export * from './connection';
export * from './errors';
