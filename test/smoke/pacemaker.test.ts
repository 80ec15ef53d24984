import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  pacemakerVersionOnce,
  versionFromPackageMetadata,
} from '../../activities/publish-potential/pacemaker-version';
import { INSTALLED } from '../../src/config/paths';
import { probeBackendsCached } from '../../src/pacemaker/backend-probe-cache';
import { describeBackends } from '../../src/pacemaker/backends';
import { withReferenceEnergies } from '../../src/pacemaker/reference-energy';
import { tinyPacemakerInput } from '../fixtures/tiny-pacemaker-input';
import { scratchDir } from '../harness/context';

const fixture = (name: string) => path.join(__dirname, '..', 'fixtures', name);

// pacemaker itself on pyace, the evaluator that starts in a second: the smoke check of the fitting code. The
// tensorpot evaluator's fit (TensorFlow's start-up, ~35 s here) runs end to end in
// test/e2e/train-potential.test.ts, and the probe below imports TensorFlow.
test.each(['pyace'] as const)(
  'pacemaker fits a tiny real potential with the %s evaluator and pace_yaml2yace turns it into a .yace that pyace can evaluate',
  (evaluator) => {
    const dir = scratchDir('pacemaker-smoke');
    execFileSync(INSTALLED.python, [fixture('tiny_emt_dataset.py'), path.join(dir, 'data.pckl.gzip'), '6']);
    fs.writeFileSync(path.join(dir, 'input.yaml'), tinyPacemakerInput('data.pckl.gzip', ['Cu'], evaluator));

    execFileSync(INSTALLED.pacemaker, ['input.yaml'], { cwd: dir, stdio: 'ignore', timeout: 180_000 });
    expect(fs.existsSync(path.join(dir, 'output_potential.yaml'))).toBe(true);
    const log = fs.readFileSync(path.join(dir, 'log.txt'), 'utf8');
    expect(log).toMatch(/Initial state:/);
    expect(log).toMatch(/Iteration\s+#\d+/);

    execFileSync(INSTALLED.paceYaml2Yace, ['output_potential.yaml', '-o', 'potential.yace'], {
      cwd: dir,
      stdio: 'ignore',
    });
    const evaluate = (file: string) =>
      JSON.parse(
        execFileSync(INSTALLED.python, [fixture('evaluate_yace.py'), path.join(dir, file)], {
          encoding: 'utf8',
        }),
      ) as { energy: number; natoms: number };
    const evaluated = evaluate('potential.yace');
    expect(evaluated.natoms).toBe(4);
    expect(Number.isFinite(evaluated.energy)).toBe(true);

    // The E0 that executeTraining folds in is what pyace (LAMMPS ML-PACE's evaluator) adds per atom.
    const yace = fs.readFileSync(path.join(dir, 'potential.yace'), 'utf8');
    fs.writeFileSync(path.join(dir, 'absolute.yace'), withReferenceEnergies(yace, { Cu: -3.5 }));
    expect(evaluate('absolute.yace').energy - evaluated.energy).toBeCloseTo(-3.5 * 4, 9);
  },
);

test('the Python environment offers both evaluators, and the probe the worker logs at start says so, kept for the next start', async () => {
  const cacheFile = path.join(scratchDir('probe'), 'probe.json');
  const { report, probedAt } = await probeBackendsCached(INSTALLED.python, cacheFile);
  expect(probedAt).toBeUndefined(); // probed now: nothing was kept
  // The next start in the same environment reads the kept answer instead of importing TensorFlow again.
  const again = await probeBackendsCached(INSTALLED.python, cacheFile);
  expect(again.probedAt).toEqual(expect.any(String));
  expect(again.report).toEqual(report);
  expect(report.pyace).toMatchObject({ available: true, version: '0.4.0rc1' });
  expect(report.tensorpot).toMatchObject({
    available: true,
    tensorflow: '2.20.0',
    tensorpotential: '0.6.2.1',
  });
  expect(report.tensorpot.devices.map((d) => d.type)).toContain('CPU');
  expect(describeBackends(report).warning).toBeUndefined();
});

test('the pacemaker version a published potential records is the one `pacemaker --version` prints, read without importing pyace', async () => {
  const printed = execFileSync(INSTALLED.pacemaker, ['--version'], { encoding: 'utf8' });
  const recorded = await pacemakerVersionOnce(INSTALLED.pacemaker)();
  expect(await versionFromPackageMetadata(INSTALLED.pacemaker)).toBe(recorded);
  expect(recorded).toMatch(/^\d+\.\d+/);
  expect(printed).toContain(`version: ${recorded}`);
});
