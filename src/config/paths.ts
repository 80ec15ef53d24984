import path from 'node:path';

/** The checkout this package runs from: scripts/setup.sh installs the venv and servers under it. */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** Executables that scripts/setup.sh installs into the project's own folders. */
export const INSTALLED = {
  python: path.join(PROJECT_ROOT, '.venv', 'bin', 'python'),
  pacemaker: path.join(PROJECT_ROOT, '.venv', 'bin', 'pacemaker'),
  paceYaml2Yace: path.join(PROJECT_ROOT, '.venv', 'bin', 'pace_yaml2yace'),
  paceActiveset: path.join(PROJECT_ROOT, '.venv', 'bin', 'pace_activeset'),
  temporal: path.join(PROJECT_ROOT, '.venv', 'bin', 'temporal'),
  testServer: path.join(PROJECT_ROOT, '.venv', 'bin', 'temporal-test-server'),
  mongoWireServer: path.join(PROJECT_ROOT, '.build', 'mongo-wire-server'),
} as const;

/**
 * nginx from Debian's packages (scripts/setup.sh installs it where it is missing): the TLS terminator that
 * the secure-connection test puts in front of the ephemeral Temporal server.
 */
export const SYSTEM_NGINX = '/usr/sbin/nginx';

/**
 * The project's Python package: scripts run by path with INSTALLED.python (or MLIP_PYTHON), one folder per
 * role, importing what they share as `mlip_autopipe.common` (scripts/setup.sh puts python/ on the venv's
 * path). Each role's folder is named here once.
 */
const PYTHON_PACKAGE_DIR = path.join(PROJECT_ROOT, 'python', 'mlip_autopipe');
/** The helpers the activities run (`path.join(PYTHON_HELPERS_DIR, 'explore_md.py')`, runPythonHelper). */
export const PYTHON_HELPERS_DIR = path.join(PYTHON_PACKAGE_DIR, 'helpers');
/** The demo labellers: the factories seed-demo runs and label_structures.py. */
export const PYTHON_DEMO_DIR = path.join(PYTHON_PACKAGE_DIR, 'demo');
/** The scripts that judge a published potential, for the benches, the demo loop and the tests. */
export const PYTHON_ANALYSIS_DIR = path.join(PYTHON_PACKAGE_DIR, 'analysis');
