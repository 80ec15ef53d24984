/**
 * What the `backends` and `fidelity` benches share: a labelled dataset (bench/labelled_dataset.py: Kumagai silicon or
 * Erhart–Albe silicon–carbon), an input.yaml
 * made by the product's own functions, one pacemaker fit run directly in a folder of its own with progress
 * printed as it goes, and the figures read back from pacemaker's log and prediction files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { INSTALLED, PROJECT_ROOT, PYTHON_HELPERS_DIR } from '../src/config';
import { buildPacemakerDocument, renderPacemakerYaml } from '../src/pacemaker';
import { resolveTrainerParams, type TrainerParamsInput } from '../src/api';
import { runCommand, runJsonCommand } from './run-command';

export const PYTHON = process.env.MLIP_PYTHON ?? INSTALLED.python;
export const PACEMAKER = process.env.PACEMAKER_BIN ?? INSTALLED.pacemaker;

interface DatasetPart {
  path: string;
  structures: number;
  atoms: number;
  elements: string[];
  /** Structures per kind (per composition class where the labeller names one). */
  kinds: Record<string, number>;
}

export interface LabelledDataset {
  train: DatasetPart;
  test: DatasetPart;
}

/**
 * The realistic demo labellers a bench can fit (python/mlip_autopipe/demo/silicon_factory.py,
 * python/mlip_autopipe/demo/sic_factory.py).
 */
export const BENCH_LABELLERS = ['kumagai-si', 'erhart-albe-sic'] as const;
export type BenchLabeller = (typeof BENCH_LABELLERS)[number];

/** Train and held-out pickles of one labeller's structures (those `seed-demo --labeller` inserts). */
export async function makeLabelledDataset(
  dir: string,
  train: number,
  test: number,
  seed: number,
  labeller: BenchLabeller = 'kumagai-si',
): Promise<LabelledDataset> {
  return runJsonCommand<LabelledDataset>(PYTHON, [
    path.join(PROJECT_ROOT, 'bench', 'labelled_dataset.py'),
    '--labeller',
    labeller,
    '--train',
    String(train),
    '--test',
    String(test),
    '--seed',
    String(seed),
    dir,
  ]);
}

/** One line on the data a bench fits: sizes of both sets and the kinds of training structures. */
export function describeDataset(dataset: LabelledDataset): string {
  const kinds = Object.entries(dataset.train.kinds)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return (
    `data: train ${dataset.train.structures} structures / ${dataset.train.atoms} atoms, held-out ` +
    `${dataset.test.structures} / ${dataset.test.atoms}; elements ${dataset.train.elements.join(', ')}; kinds (train) ${kinds}`
  );
}

/**
 * input.yaml for `trainer` (resolved with the product's defaults for everything not given), fitted to the
 * train pickle and evaluated on the held-out pickle: `data.test_filename` replaces any `test_size` split, so
 * the fit sees every training structure and the held-out structures are the same for every run.
 */
export function pacemakerInput(trainer: TrainerParamsInput, dataset: LabelledDataset, note: string): string {
  const params = resolveTrainerParams(trainer);
  const doc = buildPacemakerDocument(params, {
    elements: dataset.train.elements,
    pacemakerDatasetPath: dataset.train.path,
  });
  delete doc.data.test_size;
  doc.data.test_filename = dataset.test.path;
  return renderPacemakerYaml(doc, note);
}

export interface ErrorFigures {
  structures: number;
  atoms: number;
  rmseEnergyMeVPerAtom: number;
  maeEnergyMeVPerAtom: number;
  rmseForcesMeVPerA: number;
  maeForcesMeVPerA: number;
}

export interface FitFigures {
  dir: string;
  /** pacemaker start → exit, s. */
  wallS: number;
  /** "Total number of functions: N / number of parameters: P" from the log. */
  functions: number | null;
  parameters: number | null;
  /** Start → "Running fit backend": reading data, building the basis, neighbour lists. */
  setupS: number | null;
  /** "Running fit backend" → "Initial state": the first loss evaluation (with tensorpot, TensorFlow's tracing). */
  firstEvalS: number | null;
  /** Mean time of one iteration, from the time stamps of "Iteration #1" to the last iteration's line. */
  perIterationS: number | null;
  /** "Fitting took N seconds" (pacemaker's own figure: the whole fit backend, first evaluation included). */
  fitS: number | null;
  iterations: number;
  /** Loss evaluations, "(N evals)" of the last iteration. */
  evals: number | null;
  train: ErrorFigures | null;
  test: ErrorFigures | null;
}

const STAMP = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}) /;

function stampMs(line: string): number | undefined {
  const m = STAMP.exec(line);
  return m ? Date.parse(`${m[1]!.replace(' ', 'T')}.${m[2]}`) : undefined;
}

/**
 * The figures of a finished fit, from pacemaker's log.txt (one clean line per message; its stdout also
 * carries pyace's per-evaluation progress, written without line breaks), its stdout's "Fitting took" and
 * its prediction files.
 */
export async function readFit(dir: string, wallS: number, startMs: number): Promise<FitFigures> {
  const lines = [
    ...fs.readFileSync(path.join(dir, 'log.txt'), 'utf8').split(/[\r\n]+/),
    ...(/Fitting took\s+[\d.]+ seconds/.exec(fs.readFileSync(path.join(dir, 'pacemaker.out'), 'utf8')) ?? []),
  ];
  let functions: number | null = null;
  let parameters: number | null = null;
  let backendAt: number | undefined;
  let initialAt: number | undefined;
  let fitS: number | null = null;
  const iterationsAt: { n: number; at: number; evals: number }[] = [];
  for (const line of lines) {
    const f = /Total number of functions: (\d+) \/ number of parameters: (\d+)/.exec(line);
    if (f) {
      functions = Number(f[1]);
      parameters = Number(f[2]);
    }
    if (/Running fit backend/.test(line)) backendAt = stampMs(line);
    if (/Initial state:/.test(line)) initialAt = stampMs(line);
    const it = /Iteration\s+#(\d+)\s+\((\d+) evals\)/.exec(line);
    const at = stampMs(line);
    if (it && at !== undefined && !/\(TEST\)/.test(line))
      iterationsAt.push({ n: Number(it[1]), at, evals: Number(it[2]) });
    const took = /Fitting took\s+([\d.]+) seconds/.exec(line);
    if (took) fitS = Number(took[1]);
  }
  const first = iterationsAt[0];
  const last = iterationsAt.at(-1);
  const perIterationS =
    first && last && last.n > first.n ? (last.at - first.at) / 1000 / (last.n - first.n) : null;
  const metrics = await runJsonCommand<{ train: ErrorFigures | null; test: ErrorFigures | null }>(PYTHON, [
    path.join(PYTHON_HELPERS_DIR, 'prediction_metrics.py'),
    dir,
  ]);
  return {
    dir,
    wallS,
    functions,
    parameters,
    setupS: backendAt !== undefined ? (backendAt - startMs) / 1000 : null,
    firstEvalS: backendAt !== undefined && initialAt !== undefined ? (initialAt - backendAt) / 1000 : null,
    perIterationS,
    fitS,
    iterations: last?.n ?? 0,
    evals: last?.evals ?? null,
    train: metrics.train,
    test: metrics.test,
  };
}

/**
 * Runs `pacemaker input.yaml` in `dir` (a session of its own, output to pacemaker.out), printing a line
 * with `label` for each iteration (at most every `everyS` seconds), and returns the fit's figures.
 */
export async function runPacemaker(dir: string, label: string, everyS = 10): Promise<FitFigures> {
  const outFile = path.join(dir, 'pacemaker.out');
  // pacemaker stamps its lines in local time, which Date.parse reads back as local time: the same clock.
  const startMs = Date.now();
  const t0 = performance.now();
  let lastPrinted = 0;
  let pending = '';
  const onOutput = (chunk: Buffer) => {
    // pyace's per-evaluation progress ends in \r, not \n: both end a line here.
    const lines = (pending + chunk.toString('utf8')).split(/[\r\n]/);
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const now = (performance.now() - t0) / 1000;
      const m =
        /(Initial state:#0|Iteration\s+#\d+)\s+\((\d+) evals\):\s+Loss: (\S+) \| RMSE Energy\(low\): ([\d.]+).*Forces\(low\): ([\d.]+)/.exec(
          line,
        );
      if (m && !/\(TEST\)/.test(line) && (now - lastPrinted >= everyS || /Initial/.test(m[1]!))) {
        lastPrinted = now;
        console.log(
          `    [${label}] ${now.toFixed(0).padStart(5)} s  ${m[1]!.replace(/\s+/, ' ')} (${m[2]} evals): ` +
            `loss ${m[3]}, train RMSE E ${m[4]} meV/atom, F ${m[5]} meV/Å`,
        );
      } else if (/Total number of functions/.test(line)) {
        console.log(`    [${label}] ${now.toFixed(0).padStart(5)} s  ${line.replace(/^.* - /, '')}`);
      } else if (/Making predictions/.test(line)) {
        console.log(
          `    [${label}] ${now.toFixed(0).padStart(5)} s  fit done; predicting train and held-out sets`,
        );
      }
    }
  };
  await runCommand(PACEMAKER, ['input.yaml'], { cwd: dir, logFile: outFile, onOutput, maxOutputBytes: 0 });
  return readFit(dir, (performance.now() - t0) / 1000, startMs);
}

/** Writes `inputYaml` as input.yaml into `dir` (made if needed) and fits it there with runPacemaker. */
export function fitInput(
  dir: string,
  inputYaml: string,
  label: string,
  everyS?: number,
): Promise<FitFigures> {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'input.yaml'), inputYaml);
  return runPacemaker(dir, label, everyS);
}

export const fmt = (x: number | null | undefined, digits = 1) =>
  x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(digits);

/** Where a bench writes its JSON summary: bench/out/ (git-ignored). */
export function writeSummary(name: string, summary: unknown): string {
  const dir = path.join(PROJECT_ROOT, 'bench', 'out');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, JSON.stringify(summary, null, 2));
  return file;
}
