/**
 * Connecting to Temporal: the target from the environment (address, namespace, TLS, mutual TLS, API key,
 * checked before connecting), the client and worker connections made from it, and a failure explained in
 * terms of the variable to fix.
 */
export * from './connect';
export * from './connection-diagnosis';
export * from './connection-target';
