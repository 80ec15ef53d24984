/**
 * Settings read at start-up: the environment (EnvSchema) and the paths of what scripts/setup.sh installs.
 */
export * from './env';
export * from './paths';
