/**
 * `npm run bench -- dry-run [--structures 40] [--rounds 3] [--seed 0] [--keep]`: what the config's check
 * costs every training, before and after it ran on the pyace evaluator.
 *
 * The same Kumagai silicon data and the product's input.yaml (resolveTrainerParams + buildPacemakerDocument,
 * every default: the tensorpot evaluator) are dry-run by the real `pacemaker --dry-run` two ways, in the same
 * run, alternating A B B A so that drift in the machine's load hits both alike:
 *   (a) baseline: the document as the fit reads it (tensorpot: pacemaker imports TensorFlow);
 *   (b) what generatePacemakerConfig runs now: dryRunDocument(doc), the same document on pyace, plus the
 *       check that tensorpot is installed (python/mlip_autopipe/helpers/backend_probe.py --installed, once
 *       per worker).
 * Prints each side's mean and spread and their ratio. Both must pass the dry run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PYTHON_HELPERS_DIR } from '../src/config';
import {
  buildPacemakerDocument,
  dryRunDocument,
  renderPacemakerYaml,
  type PacemakerDocument,
} from '../src/pacemaker';
import { resolveTrainerParams } from '../src/api';
import { intOption } from './options';
import { fmt, makeLabelledDataset, PACEMAKER, PYTHON } from './pacemaker-fit';
import { runCommand } from './run-command';

async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return (performance.now() - start) / 1000;
}

async function dryRun(dir: string, doc: PacemakerDocument): Promise<void> {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'input.yaml'), renderPacemakerYaml(doc));
  await runCommand(PACEMAKER, ['--dry-run', 'input.yaml'], { cwd: dir });
}

const stats = (xs: number[]) => ({
  mean: xs.reduce((a, b) => a + b, 0) / xs.length,
  min: Math.min(...xs),
  max: Math.max(...xs),
});

export async function run(args: string[]): Promise<number> {
  const structures = intOption(args, 'structures', 40);
  const rounds = intOption(args, 'rounds', 3);
  const seed = intOption(args, 'seed', 0, true);
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlip-bench-dry-run-'));
  console.log(
    `bench dry-run: ${structures} Kumagai silicon structures (seed ${seed}), ${rounds} rounds A B B A; ` +
      `${os.cpus().length} CPU core(s); work dir ${outDir}`,
  );
  try {
    const dataset = await makeLabelledDataset(outDir, structures, 1, seed);
    const doc = buildPacemakerDocument(resolveTrainerParams({}), {
      elements: dataset.train.elements,
      pacemakerDatasetPath: dataset.train.path,
      structures,
    });
    const baseline = () => dryRun(path.join(outDir, 'tensorpot'), doc);
    const now = async () => {
      await runCommand(PYTHON, [path.join(PYTHON_HELPERS_DIR, 'backend_probe.py'), '--installed']);
      await dryRun(path.join(outDir, 'pyace'), dryRunDocument(doc));
    };
    const a: number[] = [];
    const b: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? ([baseline, now] as const) : ([now, baseline] as const);
      for (const side of order) {
        const seconds = await timed(side);
        (side === baseline ? a : b).push(seconds);
        console.log(
          `  round ${round + 1}: ${side === baseline ? 'tensorpot' : 'pyace + probe'} ${fmt(seconds, 2)} s`,
        );
      }
    }
    const sa = stats(a);
    const sb = stats(b);
    console.log(
      `dry run on the fit's evaluator (tensorpot): mean ${fmt(sa.mean, 2)} s (${fmt(sa.min, 2)}–${fmt(sa.max, 2)})\n` +
        `dry run on pyace + installed check:       mean ${fmt(sb.mean, 2)} s (${fmt(sb.min, 2)}–${fmt(sb.max, 2)})\n` +
        `saved per training: ${fmt(sa.mean - sb.mean, 2)} s; ratio ${fmt(sb.mean / sa.mean, 2)}`,
    );
    return 0;
  } finally {
    if (!args.includes('--keep')) fs.rmSync(outDir, { recursive: true, force: true });
  }
}
