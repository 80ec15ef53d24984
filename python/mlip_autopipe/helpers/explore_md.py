"""Molecular dynamics in LAMMPS with a published potential, keeping the frames where it extrapolates.

Usage: python explore_md.py PLAN.json

PLAN.json (written by the exploreStructures activity):
  {"potentialYaml", "activeSet": the B-basis potential and its .asi (pace/extrapolation reads both),
   "elements": [...] (LAMMPS type k+1 is elements[k]),
   "gammaLower", "gammaUpper", "sampleEvery" (steps), "maxFramesPerRun", "timestepFs",
   "workDir": a folder this run may write to,
   "runs": [{"index", "structure" (the calculations contract's), "temperatureK", "pressureBar" (null: NVT at
             the seed's volume), "steps", "velocitySeed"}]}

Each run: velocities at temperatureK, Nosé–Hoover NVT (or NPT, isotropic, at pressureBar), the extrapolation
grade γ of every atom every sampleEvery steps (pace/extrapolation). A sampled frame whose largest γ is at
least gammaLower is printed, up to maxFramesPerRun per run; the run stops at the first frame above
gammaUpper, which is not printed: beyond it the potential no longer knows what it predicts, and such frames
are often unphysical (pacemaker's own LAMMPS example dumps above 5 and stops above 25).

Writes JSON lines to stdout, flushed at once:
  {"ready": {"runs"}}
  {"frame": {"run", "step", "gammaMax", "structure"}}   structure in the calculations contract (LAMMPS's frame)
  {"progress": {"run", "step"}}                         after each sampled chunk
  {"run": {"index", "sampled", "extrapolative", "printed", "stoppedAtStep", "gammaMax", "error"}}
      sampled: frames whose γ was read; extrapolative: those with γmax >= gammaLower (printed or not);
      stoppedAtStep: the step whose γ passed gammaUpper (null: ran to the end); error: LAMMPS's message when
      the run broke off (lost atoms, a bad box), else null — the other runs go on
  {"done": {"runs"}}
Exit code 2 for a plan or potential that cannot be used (the reason on stderr).
"""
import json
import math
import os
import sys

import numpy as np

from mlip_autopipe.common.lammps_runtime import load_structure, open_lammps
from mlip_autopipe.common.structures import structure_atoms


def lammps_frame(lmp, elements):
    """The current configuration as a structure of the calculations contract, in LAMMPS's frame."""
    n = lmp.get_natoms()
    ids = np.array(lmp.numpy.extract_atom("id")[:n])
    order = np.argsort(ids)
    positions = np.array(lmp.numpy.extract_atom("x")[:n], dtype=float)[order]
    types = np.array(lmp.numpy.extract_atom("type")[:n])[order]
    boxlo, boxhi, xy, yz, xz, _periodicity, _changed = lmp.extract_box()
    lx, ly, lz = (boxhi[k] - boxlo[k] for k in range(3))
    cell = [lx, 0.0, 0.0, xy, ly, 0.0, xz, yz, lz]
    return {
        "symbols": [elements[t - 1] for t in types],
        "positions": [float(v) for v in (positions - np.array(boxlo)).ravel()],
        "cell": [float(v) for v in cell],
        "pbc": [True, True, True],
    }


def emit(out, kind, payload):
    out.write(json.dumps({kind: payload}) + "\n")
    out.flush()


def explore(plan, run, out):
    elements = plan["elements"]
    summary = {"index": run["index"], "sampled": 0, "extrapolative": 0, "printed": 0,
               "stoppedAtStep": None, "gammaMax": None, "error": None}
    lmp = open_lammps(log=os.path.join(plan["workDir"], f"run-{run['index']}.log"))
    try:
        atoms = structure_atoms(run["structure"])
        load_structure(lmp, atoms, elements, os.path.join(plan["workDir"], f"run-{run['index']}.data"))
        dt_ps = plan["timestepFs"] / 1000.0
        every = plan["sampleEvery"]
        t = run["temperatureK"]
        # Damping times of 100 and 1000 steps: LAMMPS's own recommendation for Nosé–Hoover.
        ensemble = (f"fix md all nvt temp {t} {t} {100 * dt_ps}" if run["pressureBar"] is None else
                    f"fix md all npt temp {t} {t} {100 * dt_ps} iso {run['pressureBar']} {run['pressureBar']} {1000 * dt_ps}")
        lmp.commands_string("\n".join([
            "pair_style pace/extrapolation",
            f"pair_coeff * * {plan['potentialYaml']} {plan['activeSet']} {' '.join(elements)}",
            f"fix pace_gamma all pair {every} pace/extrapolation gamma 1",
            f"timestep {dt_ps}",
            f"velocity all create {t} {run['velocitySeed']} mom yes rot yes dist gaussian",
            ensemble,
            "thermo 0",
            "run 0",
        ]))
        n = lmp.get_natoms()
        step = 0
        while step < run["steps"]:
            chunk = min(every, run["steps"] - step)
            lmp.command(f"run {chunk} pre no post no")
            step += chunk
            if chunk < every:
                break  # γ is computed on multiples of sampleEvery only
            gamma = float(np.max(np.array(lmp.numpy.extract_fix("pace_gamma", 1, 1)[:n], dtype=float)))
            summary["sampled"] += 1
            summary["gammaMax"] = gamma if summary["gammaMax"] is None else max(summary["gammaMax"], gamma)
            if not math.isfinite(gamma) or gamma > plan["gammaUpper"]:
                summary["stoppedAtStep"] = step
                if math.isfinite(gamma) and gamma >= plan["gammaLower"]:
                    summary["extrapolative"] += 1
                break
            if gamma >= plan["gammaLower"]:
                summary["extrapolative"] += 1
                if summary["printed"] < plan["maxFramesPerRun"]:
                    summary["printed"] += 1
                    emit(out, "frame", {"run": run["index"], "step": step, "gammaMax": gamma,
                                        "structure": lammps_frame(lmp, elements)})
            emit(out, "progress", {"run": run["index"], "step": step})
    except Exception as exc:  # LAMMPS reports a broken run (lost atoms, a collapsed box) as an exception
        summary["error"] = f"{type(exc).__name__}: {exc}".strip()[:500]
    finally:
        lmp.close()
    if summary["gammaMax"] is not None and not math.isfinite(summary["gammaMax"]):
        summary["gammaMax"] = None
    emit(out, "run", summary)


def main(argv):
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        with open(argv[0]) as f:
            plan = json.load(f)
        for key in ("potentialYaml", "activeSet"):
            if not os.path.exists(plan[key]):
                raise FileNotFoundError(f"{key}: {plan[key]} does not exist")
        os.makedirs(plan["workDir"], exist_ok=True)
    except Exception as exc:
        print(f"cannot use the plan {argv[0]}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    out = sys.stdout
    emit(out, "ready", {"runs": len(plan["runs"])})
    for run in plan["runs"]:
        explore(plan, run, out)
    emit(out, "done", {"runs": len(plan["runs"])})
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BrokenPipeError:
        sys.exit(1)  # the activity went away (cancelled or crashed)
    except KeyboardInterrupt:
        sys.exit(130)
