/**
 * The transition to core repulsion below the data's shortest distances. With `fit.repulsion: auto`
 * pacemaker (python-ace 0.4, generalfit.py setup_zbl_inner_core_repulsion) sets, for every element pair,
 * the inner cutoff `r_in` to the shortest distance of that pair in the training data and the transition
 * width `delta_in` to 0.1 Å, with `inner_cutoff_type: zbl`. ML-PACE then blends each atom's energy from
 * ACE to the ZBL energy summed over ALL its neighbours as its closest neighbour moves from r_in to
 * r_in - delta_in (ace_evaluator.cpp). ZBL at bonding distances is far above the true energy (measured on
 * Kumagai silicon: +4 eV for one pair at 95 % of the shortest distance), so a 0.1 Å transition is a cliff:
 * force errors of 5 eV/Å median, 24 eV/Å worst, just inside the data, where MD at a few hundred kelvin
 * goes within picoseconds.
 *
 * Widening the transition to a fraction of r_in keeps the potential repulsive and its forces bounded there
 * (measured in docs/benchmarks.md#short-distances). It changes nothing inside the data: every atom of the
 * training set has its closest neighbour at r_in or beyond, where the blend is pure ACE, so the fit's
 * errors are those pacemaker reported. Pure.
 */

/**
 * delta_in as a share of r_in. Measured on Kumagai silicon and Erhart–Albe silicon–carbon, one pair at
 * 85–100 % of the data's shortest distance for it (docs/benchmarks.md#short-distances): 0.1 Å (pacemaker's)
 * gives median force errors of 5.4 eV/Å near the data; 0.35·r_in keeps every structure at 95–100 %
 * below 1 eV/Å and the median at 85–95 % at 0.5 eV/Å, every pushed pair pushed apart.
 */
export const INNER_TRANSITION_SHARE = 0.35;

const BLOCK_START = /^(\s*)- speciesblock:\s*(.+?)\s*$/;

/** One single- or pair-species block's inner cutoff, as found and as set. */
export interface InnerCutoffChange {
  block: string;
  rIn: number;
  deltaInBefore: number;
  deltaIn: number;
}

/**
 * output_potential.yaml's text with `delta_in = share × r_in` in every block whose inner cutoff is ZBL
 * (`fit.repulsion: auto`); other blocks and every other byte kept. Idempotent. Returns the new text and
 * what changed (nothing for a potential without ZBL blocks).
 */
export function widenInnerTransition(
  potentialYamlText: string,
  share = INNER_TRANSITION_SHARE,
): { text: string; changes: InnerCutoffChange[] } {
  const lines = potentialYamlText.split('\n');
  const changes: InnerCutoffChange[] = [];
  let block: { name: string; indent: number; rIn?: number; deltaAt?: number; zbl: boolean } | undefined;
  const finish = () => {
    if (!block || !block.zbl || block.rIn === undefined || block.deltaAt === undefined) return;
    const m = /^(\s*delta_in:\s*)(\S+)\s*$/.exec(lines[block.deltaAt]!)!;
    const deltaIn = share * block.rIn;
    changes.push({ block: block.name, rIn: block.rIn, deltaInBefore: Number(m[2]), deltaIn });
    lines[block.deltaAt] = `${m[1]}${String(deltaIn)}`;
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
    // A line at or left of the list's dash ends the species list.
    if (line.trim() !== '' && line.length - line.trimStart().length < block.indent) {
      finish();
      block = undefined;
      continue;
    }
    const field = /^\s*(r_in|delta_in|inner_cutoff_type):\s*(\S+)\s*$/.exec(line);
    if (!field || line.length - line.trimStart().length !== block.indent) continue;
    if (field[1] === 'r_in') block.rIn = Number(field[2]);
    else if (field[1] === 'delta_in') block.deltaAt = i;
    else block.zbl = field[2] === 'zbl';
  }
  finish();
  return { text: lines.join('\n'), changes };
}
