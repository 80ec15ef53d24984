/**
 * One bundle of workflows/ for the whole run: global setup bundles it once (webpack, about 4 s of CPU) and
 * each test file reads the file, where every file that ran workers used to bundle it again. Tests of other
 * workflow code (a divergent copy, a fixture's workflows) bundle their own with bundleWorkflows(path).
 */
import { bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import fs from 'node:fs';
import path from 'node:path';

const BUNDLE_FILE = 'workflows.bundle.js';
const quietLogger = { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} };

/** Bundles workflow code (workflows/ unless told otherwise), printing only webpack's errors. */
export function bundleWorkflows(workflowsPath = require.resolve('../../workflows')): Promise<WorkflowBundle> {
  return bundleWorkflowCode({ workflowsPath, logger: quietLogger });
}

/** Global setup: bundles workflows/ into `dir` and says where (test workers inherit the variable). */
export async function writeSharedWorkflowBundle(dir: string): Promise<void> {
  const file = path.join(dir, BUNDLE_FILE);
  fs.writeFileSync(file, (await bundleWorkflows()).code);
  process.env.MLIP_TEST_WORKFLOW_BUNDLE = file;
}

let bundle: Promise<WorkflowBundle> | undefined;
/** The run's bundle of workflows/ (bundled here when global setup did not, e.g. a file run on its own). */
export function workflowBundle(): Promise<WorkflowBundle> {
  const file = process.env.MLIP_TEST_WORKFLOW_BUNDLE;
  bundle ??= file ? Promise.resolve({ code: fs.readFileSync(file, 'utf8') }) : bundleWorkflows();
  return bundle;
}
