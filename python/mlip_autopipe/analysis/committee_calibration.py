"""How well a committee's force disagreement tracks its actual force error, on held-out EMT structures.

Usage:
  python committee_calibration.py evaluate POTENTIAL [POTENTIAL ...] [--count 40] [--seed 1000]
         [--element Cu] [--bins 4]
  python committee_calibration.py dataset OUT.pckl.gzip [--count 60] [--seed 0] [--element Cu]

evaluate: makes --count held-out structures that span easy to hard (structure i of n has difficulty
t = i / (n - 1)): 2x2x2 cubic fcc supercells of --element at EMT's lattice constant, strained by a random
volume change in [-0.5 - 2t, +0.5 + 6t] % and a random symmetric strain of 0.5 + 2.5t % (standard
deviation), a vacancy in 30 % of them, atoms rattled by 0.01 + 0.07t Å (standard deviation). Easy ones
resemble emt_factory.py's training structures (2 % strain, 0.05 Å rattle); hard ones reach past them. Each
is labelled with ASE's EMT and predicted by every member (ace_committee.Committee). Per structure:
  disagreement  mean over atoms of the per-atom force disagreement (ace_committee.force_disagreement: the
                RMS over x, y, z of the members' standard deviation), meV/Å; also its max over atoms
  error         RMSE over atoms and x, y, z of the committee MEAN force against EMT, meV/Å
Prints one JSON object: spearman (disagreement mean, and max, against the error), the per-structure rows,
the structures binned by disagreement (equal counts, lowest first: mean disagreement, mean and median
error, count), and the failures: structures predicted with a force RMSE above --failure (default 1000 meV/Å,
several times EMT's own forces here; in practice, structures with atoms closer than any pair in the
training data, where the fitted core repulsion takes over), with the least disagreement among them and the
most among the other structures, so a reader sees whether a disagreement threshold would catch them all.
The same arguments give the same structures.

dataset: writes structures 0..count-1 of emt_factory.py's sequence for --seed (the structures that
`mlip-train seed-demo --count N --seed S` inserts) as a pacemaker dataset, for benches that fit without
the pipeline.
"""

import argparse
import json
import sys

import numpy as np

from mlip_autopipe.common.committee import Committee, force_disagreement, spearman
from mlip_autopipe.common.datasets import write_dataset
from mlip_autopipe.common.structures import structure_atoms
from mlip_autopipe.demo.emt_factory import EMT_METALS, lattice_constant, make_structure


def held_out_structures(count: int, seed: int, element: str):
    """[(atoms, reference forces (N, 3) eV/Å, difficulty t)] for t from 0 to 1."""
    from ase.build import bulk
    from ase.calculators.emt import EMT

    out = []
    for i in range(count):
        rng = np.random.default_rng([seed, i])
        t = i / max(count - 1, 1)
        atoms = bulk(element, "fcc", a=lattice_constant([element]), cubic=True).repeat((2, 2, 2))
        volume = rng.uniform(-0.005 - 0.02 * t, 0.005 + 0.06 * t)
        strain = (1 + volume) * np.eye(3) + (0.005 + 0.025 * t) * rng.standard_normal((3, 3))
        atoms.set_cell(atoms.cell.array @ ((strain + strain.T) / 2), scale_atoms=True)
        if rng.random() < 0.3:
            del atoms[int(rng.integers(len(atoms)))]
        atoms.positions += rng.normal(0.0, 0.01 + 0.07 * t, atoms.positions.shape)
        atoms.calc = EMT()
        forces = np.array(atoms.get_forces())
        atoms.calc = None
        out.append((atoms, forces, t))
    return out


def bins_by(values, errors, n_bins):
    """Rows sorted by value and cut into n_bins groups of (nearly) equal size."""
    order = np.argsort(values, kind="mergesort")
    result = []
    for group in np.array_split(order, min(n_bins, len(order))):
        result.append({
            "disagreementMeVPerA": float(np.mean(np.asarray(values)[group])),
            "errorMeVPerA": float(np.mean(np.asarray(errors)[group])),
            "errorMedianMeVPerA": float(np.median(np.asarray(errors)[group])),
            "count": int(len(group)),
        })
    return result


def evaluate(args) -> dict:
    committee = Committee(args.potentials)
    rows = []
    for atoms, reference, t in held_out_structures(args.count, args.seed, args.element):
        prediction = committee.predict(atoms)
        per_atom = force_disagreement(prediction.forces)
        error = np.sqrt(np.mean((prediction.mean_forces - reference) ** 2))
        rows.append({
            "difficulty": round(t, 4),
            "atoms": len(atoms),
            "disagreementMeVPerA": 1000 * float(np.mean(per_atom)),
            "disagreementMaxMeVPerA": 1000 * float(np.max(per_atom)),
            "errorMeVPerA": 1000 * float(error),
        })
    mean_d = [r["disagreementMeVPerA"] for r in rows]
    max_d = [r["disagreementMaxMeVPerA"] for r in rows]
    errors = [r["errorMeVPerA"] for r in rows]
    failed = [r["disagreementMeVPerA"] for r in rows if r["errorMeVPerA"] > args.failure]
    others = [r["disagreementMeVPerA"] for r in rows if r["errorMeVPerA"] <= args.failure]
    return {
        "members": len(args.potentials),
        "structures": len(rows),
        "spearman": {"meanDisagreement": spearman(mean_d, errors), "maxDisagreement": spearman(max_d, errors)},
        "bins": bins_by(mean_d, errors, args.bins),
        "failures": {
            "thresholdMeVPerA": args.failure,
            "count": len(failed),
            "minDisagreementMeVPerA": min(failed) if failed else None,
            "othersMaxDisagreementMeVPerA": max(others) if others else None,
        },
        "rows": rows,
    }


def emt_dataset(args) -> dict:
    import pandas as pd

    rows = []
    for index in range(args.count):
        record = make_structure(np.random.default_rng([args.seed, index]), [args.element], index)
        energy = float(record["results"]["energy"])
        rows.append({
            "ase_atoms": structure_atoms(record["structure"]),
            "energy": energy,
            "forces": np.reshape(record["results"]["forces"], (-1, 3)),
            "energy_corrected": energy,
            "calc_id": str(index),
        })
    write_dataset(pd.DataFrame(rows), args.out)
    return {"path": args.out, "structures": len(rows), "atoms": int(sum(len(r["ase_atoms"]) for r in rows))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    ev = sub.add_parser("evaluate")
    ev.add_argument("potentials", nargs="+", help="the members' .yace (or B-basis .yaml) files")
    ev.add_argument("--count", type=int, default=40)
    ev.add_argument("--seed", type=int, default=1000)
    ev.add_argument("--element", default="Cu", choices=EMT_METALS)
    ev.add_argument("--bins", type=int, default=4)
    ev.add_argument("--failure", type=float, default=1000.0, help="force RMSE (meV/Å) that counts as a failure")
    ds = sub.add_parser("dataset")
    ds.add_argument("out")
    ds.add_argument("--count", type=int, default=60)
    ds.add_argument("--seed", type=int, default=0)
    ds.add_argument("--element", default="Cu", choices=EMT_METALS)
    args = parser.parse_args()
    if args.count < 2 or (args.command == "evaluate" and args.bins < 1):
        print("--count must be >= 2 and --bins >= 1", file=sys.stderr)
        return 2
    result = evaluate(args) if args.command == "evaluate" else emt_dataset(args)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
