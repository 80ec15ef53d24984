/**
 * pace_activeset (python-ace): builds the active set of a fitted B-basis potential, the `.asi` file from
 * which LAMMPS (`pair_style pace/extrapolation`) and pyace compute the extrapolation grade gamma of each
 * atom. Pure parts here: the command line, the file it writes, and reading its log.
 *
 * Options, and why (pace_activeset 0.4.0rc1, pyace/cli/pace_activeset.py):
 * - linear active set (no `-f`): pacemaker's documentation finds it enough for the extrapolation grade;
 *   `-f` gives a more sensitive ("over-secure") grade and a larger file with another name (.asi.nonlinear).
 * - `--all-atoms`: every training atom is a candidate for the active set, so every training environment
 *   has gamma <= the MaxVol tolerance (1.01): gamma <= 1 reads "like the training data". Without it,
 *   pace_activeset leaves out atoms whose force error is an outlier (above Q3 + 1.5 IQR), and those
 *   training atoms then read as extrapolation (measured: up to 1.48 on a 30-structure Si fit). It also
 *   keeps the run deterministic: with the default `--memory-limit auto` (80 % of the memory free at that
 *   moment) pace_activeset switches to batches when the projections do not fit, and refuses batches
 *   without `--all-atoms` (exit 1), so the same training would pass or fail with the host's load.
 * - batch size and memory limit left at `auto`: the projections take atoms x functions x 8 bytes
 *   (8,511 Si atoms x 300 functions = 19.5 MiB), so one pass is the rule and batches are the fallback.
 * - verbose (no `-V`): `-V` also silences the per-element summary lines that parseActiveSetLog reads
 *   (atoms, functions, active-set shape, gamma_max); the log is short (MaxVol prints every 10th iteration).
 */

/**
 * The file pace_activeset writes for a potential: its path with every ".yaml" replaced by ".asi" (Python's
 * str.replace, as pace_activeset does it), so `output_potential.yaml` → `output_potential.asi`.
 */
export function activeSetFileName(potentialYamlName: string): string {
  return potentialYamlName.split('.yaml').join('.asi');
}

/** The arguments of one pace_activeset run, with the potential and dataset as the workspace names them. */
export function activeSetArgs(potentialYamlName: string, datasetPath: string): string[] {
  return [potentialYamlName, '--dataset', datasetPath, '--all-atoms'];
}

export interface ActiveSetElement {
  element: string;
  /** Training atoms of this element. */
  atoms?: number;
  /** B-basis functions of this element (rows of its active set). */
  functions?: number;
  /** Atoms in the active set (rows of its inverse). */
  activeSetSize?: number;
  /** Largest gamma over the training atoms, after MaxVol (≈ 1). */
  gammaMax?: number;
}

const ELEMENT_SIZES = /Element: (\w+), # atoms: (\d+), # B-func: (\d+)/;
const ELEMENT_RESULT =
  /Element: (\w+), Active set inv\. shape: \((\d+), (\d+)\), gamma_max: ([0-9.eE+-]+|nan|inf)/;

/**
 * Reads pace_activeset's per-element lines, in the order of first appearance. Either kind of line may be
 * missing (a run that failed half way): the fields stay undefined.
 */
export function parseActiveSetLog(log: string): ActiveSetElement[] {
  const byElement = new Map<string, ActiveSetElement>();
  const entry = (element: string) => {
    let e = byElement.get(element);
    if (!e) byElement.set(element, (e = { element }));
    return e;
  };
  for (const line of log.split(/\r?\n|\r/)) {
    const sizes = ELEMENT_SIZES.exec(line);
    if (sizes) {
      const e = entry(sizes[1]!);
      e.atoms = Number(sizes[2]);
      e.functions = Number(sizes[3]);
      continue;
    }
    const result = ELEMENT_RESULT.exec(line);
    if (result) {
      const e = entry(result[1]!);
      e.activeSetSize = Number(result[2]);
      e.gammaMax = Number(result[4]);
    }
  }
  return [...byElement.values()];
}

/**
 * Why no active set can exist, when that is why pace_activeset failed: MaxVol needs at least as many
 * training atoms of an element as that element has basis functions ("system is under-determined").
 * The potential itself is fine; it just cannot grade extrapolation. Undefined for any other failure.
 */
export function underdeterminedReason(log: string): string | undefined {
  if (!/Insufficient atomic environments|under-determined/.test(log)) return undefined;
  const short = parseActiveSetLog(log).filter(
    (e) => e.atoms !== undefined && e.functions !== undefined && e.atoms < e.functions,
  );
  const which =
    short.length > 0
      ? short
          .map((e) => `${e.element}: ${e.atoms} training atoms for ${e.functions} basis functions`)
          .join('; ')
      : 'an element has fewer training atoms than basis functions';
  return `no active set: ${which} (MaxVol needs at least one atom per function)`;
}

/**
 * Keeps what a caller needs of a long-running tool's output without holding all of it: the last
 * `maxChars` characters (for error messages) and every complete line that `keep` accepts (for parsing).
 */
export function createOutputCollector(keep: (line: string) => boolean, maxChars = 16_000, maxKept = 200) {
  let tail = '';
  let partial = '';
  const kept: string[] = [];
  const take = (line: string) => {
    if (kept.length < maxKept && keep(line)) kept.push(line);
  };
  return {
    push(chunk: string) {
      tail = (tail + chunk).slice(-maxChars);
      const lines = (partial + chunk).split(/\r?\n|\r/);
      partial = (lines.pop() ?? '').slice(-maxChars);
      for (const line of lines) take(line);
    },
    end() {
      if (partial) take(partial);
      partial = '';
    },
    tail: () => tail,
    kept: () => kept.join('\n'),
  };
}

/** The lines parseActiveSetLog and underdeterminedReason read. */
export function isActiveSetSummaryLine(line: string): boolean {
  return /Element: \w+, |Insufficient atomic environments|under-determined/.test(line);
}
