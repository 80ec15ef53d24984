/**
 * executeTraining with the real pacemaker, driven by Temporal's MockActivityEnvironment (the SDK's own
 * test double for an activity context): a checkpoint that pacemaker cannot read does not lose the training.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createExecuteTrainingActivity, type ExecuteTrainingResult } from '../../activities/execute-training';
import { INSTALLED } from '../../src/config/paths';
import { Semaphore } from '../../src/process/semaphore';
import { tinyPacemakerInput } from '../fixtures/tiny-pacemaker-input';
import { scratchDir } from '../harness/context';

test('a retried fit whose checkpoint is truncated starts again from the beginning and completes', async () => {
  const dir = scratchDir('bad-checkpoint');
  execFileSync(INSTALLED.python, [
    path.join(__dirname, '..', 'fixtures', 'tiny_emt_dataset.py'),
    path.join(dir, 'data.pckl.gzip'),
    '6',
  ]);
  fs.writeFileSync(path.join(dir, 'input.yaml'), tinyPacemakerInput('data.pckl.gzip', ['Cu']));
  // What a process killed in the middle of rewriting its checkpoint leaves behind.
  fs.writeFileSync(
    path.join(dir, 'interim_potential_0.yaml'),
    'species:\n  - speciesblock: Cu\n    nradmaxi: 2\n    radcoeffici',
  );

  const { executeTraining } = createExecuteTrainingActivity({
    pacemakerBin: INSTALLED.pacemaker,
    paceYaml2YaceBin: INSTALLED.paceYaml2Yace,
    python: INSTALLED.python,
    trainingSlots: new Semaphore(1),
    heartbeatIntervalMs: 500,
  });
  // Attempt 2 of an activity whose previous attempt had reported iteration 3.
  const env = new MockActivityEnvironment({
    attempt: 2,
    heartbeatDetails: {
      phase: 'fitting',
      latest: { iteration: 3, loss: 0.1, rmseEnergyMeVPerAtom: 1, rmseForcesMeVPerA: 1 },
    },
  });
  const result: ExecuteTrainingResult = await env.run(executeTraining, {
    workspaceDir: dir,
    inputYamlPath: path.join(dir, 'input.yaml'),
    maxIterations: 5,
  });

  expect(result.resumedFrom).toBeUndefined();
  expect(fs.existsSync(result.yacePath)).toBe(true);
  expect(fs.existsSync(path.join(dir, 'interim_potential_0.yaml.unusable'))).toBe(true);
  const log = fs.readFileSync(result.logPath, 'utf8');
  expect(log).toMatch(/attempt 2 .*: pacemaker input\.resume\.yaml -p interim_potential_0\.yaml =====/);
  expect(log).toMatch(/attempt 2 .*: pacemaker input\.yaml =====/);
  expect(result.metrics.train.structures).toBe(6);
});
