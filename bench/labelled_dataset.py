"""Bench helper: a train and a held-out pacemaker dataset from a realistic demo labeller.

Usage: python labelled_dataset.py --train N --test M --seed S [--labeller kumagai-si|erhart-albe-sic] OUT_DIR

Labels structures with the factory's own generator and calculator
(python/mlip_autopipe/demo/silicon_factory.py, Kumagai silicon, or python/mlip_autopipe/demo/sic_factory.py,
Erhart–Albe silicon–carbon: the structures that `mlip-train seed-demo --labeller L --seed S` inserts):
indices 0..N-1 make OUT_DIR/train.pckl.gzip, indices N..N+M-1 (other structures from the same distribution)
make OUT_DIR/test.pckl.gzip. The columns are those of python/mlip_autopipe/helpers/extxyz_to_pacemaker.py:
ase_atoms, energy, forces, energy_corrected (= energy; pacemaker subtracts reference energies itself),
calc_id. Prints one JSON line: counts of structures, atoms and kinds.
"""

import argparse
import json
import os
import sys
from collections import Counter

import numpy as np
import pandas as pd

from mlip_autopipe.common.structures import structure_atoms
from mlip_autopipe.demo.labellers import demo_labeller


def frame(make_structure, labeller, seed, start, count):
    rows, kinds = [], Counter()
    for index in range(start, start + count):
        doc = make_structure(np.random.default_rng([seed, index]), index)
        r = doc["results"]
        atoms = structure_atoms(doc["structure"])
        rows.append({"ase_atoms": atoms, "energy": r["energy"],
                     "forces": np.reshape(r["forces"], (-1, 3)), "energy_corrected": r["energy"],
                     "calc_id": f"{labeller}-seed{seed}-{index:06d}"})
        kinds[doc.get("composition", doc["kind"])] += 1
    df = pd.DataFrame(rows, columns=["ase_atoms", "energy", "forces", "energy_corrected", "calc_id"])
    return df, kinds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--train", type=int, required=True)
    parser.add_argument("--test", type=int, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--labeller", choices=["erhart-albe-sic", "kumagai-si"], default="kumagai-si")
    parser.add_argument("out_dir")
    args = parser.parse_args()
    make_structure = demo_labeller(args.labeller)[0]
    summary = {}
    for name, start, count in (("train", 0, args.train), ("test", args.train, args.test)):
        df, kinds = frame(make_structure, args.labeller, args.seed, start, count)
        path = os.path.join(args.out_dir, f"{name}.pckl.gzip")
        df.to_pickle(path, compression="gzip", protocol=4)
        elements = sorted({s for a in df["ase_atoms"] for s in a.get_chemical_symbols()})
        summary[name] = {"path": path, "structures": len(df), "elements": elements,
                         "atoms": int(sum(len(a) for a in df["ase_atoms"])), "kinds": dict(kinds)}
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
