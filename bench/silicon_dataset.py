"""Bench helper: a train and a held-out pacemaker dataset of Kumagai-labelled silicon.

Usage: python silicon_dataset.py --train N --test M --seed S OUT_DIR

Labels structures with python/silicon_factory.py's own generator and calculator (the structures that
`mlip-train seed-demo --labeller kumagai-si --seed S` inserts): indices 0..N-1 make OUT_DIR/train.pckl.gzip,
indices N..N+M-1 (other structures from the same distribution) make OUT_DIR/test.pckl.gzip. The columns are
those of python/extxyz_to_pacemaker.py: ase_atoms, energy, forces, energy_corrected (= energy; pacemaker
subtracts reference energies itself), calc_id. Prints one JSON line: counts of structures, atoms and kinds.
"""

import argparse
import json
import os
import sys
from collections import Counter

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from calculation_factory import record_atoms  # noqa: E402
from silicon_factory import make_structure  # noqa: E402


def frame(seed, start, count):
    rows, kinds = [], Counter()
    for index in range(start, start + count):
        doc = make_structure(np.random.default_rng([seed, index]), index)
        r = doc["results"]
        atoms = record_atoms(doc)
        rows.append({"ase_atoms": atoms, "energy": r["energy"],
                     "forces": np.reshape(r["forces"], (-1, 3)), "energy_corrected": r["energy"],
                     "calc_id": f"kumagai-Si-seed{seed}-{index:06d}"})
        kinds[doc["kind"]] += 1
    df = pd.DataFrame(rows, columns=["ase_atoms", "energy", "forces", "energy_corrected", "calc_id"])
    return df, kinds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--train", type=int, required=True)
    parser.add_argument("--test", type=int, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("out_dir")
    args = parser.parse_args()
    summary = {}
    for name, start, count in (("train", 0, args.train), ("test", args.train, args.test)):
        df, kinds = frame(args.seed, start, count)
        path = os.path.join(args.out_dir, f"{name}.pckl.gzip")
        df.to_pickle(path, compression="gzip", protocol=4)
        summary[name] = {"path": path, "structures": len(df),
                         "atoms": int(sum(len(a) for a in df["ase_atoms"])), "kinds": dict(kinds)}
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
