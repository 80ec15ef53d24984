/**
 * The switch to core repulsion below the data's shortest distances. With `fit.repulsion: auto` pacemaker
 * (python-ace 0.4, generalfit.py setup_zbl_inner_core_repulsion) sets, for every element pair, the inner
 * cutoff `r_in` to the shortest distance of that pair in the training data and the transition width
 * `delta_in` to 0.1 Å, with `inner_cutoff_type: zbl`. ML-PACE then blends each atom's energy from ACE to
 * the ZBL energy summed over ALL its neighbours as its closest neighbour moves from r_in to r_in - delta_in
 * (ace_evaluator.cpp). ZBL at bonding distances is far above the true energy (Kumagai silicon: +4 eV for one
 * pair at 95 % of the shortest distance), so a 0.1 Å transition is a cliff: force errors of 5-15 eV/Å
 * median just inside the data, where MD at a few hundred kelvin goes within picoseconds.
 *
 * After the fit the switch is moved: it starts a little below the data (ACE's own smooth extrapolation
 * covers the first 5 %) and spreads over a third of the shortest distance, which keeps forces bounded and
 * the potential repulsive there (measured in docs/benchmarks.md#short-distances). It changes nothing
 * inside the data: every atom of the training set has its closest neighbour at the shortest distance or
 * beyond, above the new r_in, where the blend is pure ACE, so the fit's errors are those pacemaker
 * reported. Pure.
 */

/**
 * r_in and delta_in as shares of the data's shortest distance for the pair. Measured on Kumagai silicon
 * and Erhart–Albe silicon–carbon, one pair at 85–100 % of the shortest distance (docs/benchmarks.md#short-
 * distances): pacemaker's placement gives medians of 5.4 and 14.7 eV/Å at 95–100 %; 0.95 and 0.35 keep
 * every structure there below 1 eV/Å and the median at 85–95 % at 0.76 and 0.36 eV/Å, every pushed pair
 * pushed apart.
 */
export const INNER_CUTOFF_SHARE = 0.95;
export const INNER_TRANSITION_SHARE = 0.35;
/** The transition width pacemaker's `repulsion: auto` writes: a block that has it was not moved yet. */
export const PACEMAKER_AUTO_DELTA_IN = 0.1;

const BLOCK_START = /^(\s*)- speciesblock:\s*(.+?)\s*$/;

/** One single- or pair-species block's inner cutoff, as pacemaker placed it and as moved. */
export interface InnerCutoffChange {
  block: string;
  /** The data's shortest distance for the pair: pacemaker's r_in. */
  shortest: number;
  rIn: number;
  deltaIn: number;
}

interface Block {
  name: string;
  indent: number;
  zbl: boolean;
  rIn?: { at: number; value: number };
  deltaIn?: { at: number; value: number };
}

/**
 * output_potential.yaml's text with every ZBL block that pacemaker's `repulsion: auto` placed moved to
 * r_in = INNER_CUTOFF_SHARE × shortest and delta_in = INNER_TRANSITION_SHARE × shortest; other blocks and
 * every other byte kept. A block already moved (delta_in no longer pacemaker's 0.1 Å) is left alone, so
 * moving twice gives the same file. Returns the new text and what moved.
 */
export function moveInnerCutoff(potentialYamlText: string): { text: string; changes: InnerCutoffChange[] } {
  const lines = potentialYamlText.split('\n');
  const changes: InnerCutoffChange[] = [];
  let block: Block | undefined;
  const set = (at: number, value: number) => {
    lines[at] = lines[at]!.replace(/:\s*\S+\s*$/, `: ${String(value)}`);
  };
  const finish = () => {
    if (!block?.zbl || !block.rIn || !block.deltaIn) return;
    if (Math.abs(block.deltaIn.value - PACEMAKER_AUTO_DELTA_IN) > 1e-9) return;
    const shortest = block.rIn.value;
    const change = {
      block: block.name,
      shortest,
      rIn: INNER_CUTOFF_SHARE * shortest,
      deltaIn: INNER_TRANSITION_SHARE * shortest,
    };
    set(block.rIn.at, change.rIn);
    set(block.deltaIn.at, change.deltaIn);
    changes.push(change);
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const start = BLOCK_START.exec(line);
    if (start) {
      finish();
      block = { name: start[2]!, indent: start[1]!.length + 2, zbl: false };
      continue;
    }
    if (!block) continue;
    const indent = line.length - line.trimStart().length;
    // A line at or left of the list's dash ends the species list.
    if (line.trim() !== '' && indent < block.indent) {
      finish();
      block = undefined;
      continue;
    }
    const field = /^\s*(r_in|delta_in|inner_cutoff_type):\s*(\S+)\s*$/.exec(line);
    if (!field || indent !== block.indent) continue;
    if (field[1] === 'r_in') block.rIn = { at: i, value: Number(field[2]) };
    else if (field[1] === 'delta_in') block.deltaIn = { at: i, value: Number(field[2]) };
    else block.zbl = field[2] === 'zbl';
  }
  finish();
  return { text: lines.join('\n'), changes };
}
