"""One committee member's bootstrap resample of the committee's pacemaker dataset (bagging).

Usage: python bootstrap_dataset.py DATASET.pckl.gzip TRAIN_OUT.pckl.gzip TEST_OUT.pckl.gzip --seed S

Draws N structures with replacement from the N of DATASET (numpy default_rng(S): the same seed gives the
same resample) and writes them, in dataset order, to TRAIN_OUT: a structure drawn twice is fitted with
twice the weight, which is what makes the members of a committee differ where the data leaves the
potential undetermined. The structures never drawn (the out-of-bag ones, about 37 %) go to TEST_OUT as the
member's test set; when every structure was drawn (tiny datasets), TEST_OUT is not written.

Rows are copied unchanged (same columns as extxyz_to_pacemaker.py writes), with a fresh index so that
pacemaker's per-structure names stay distinct. Both files are written under <name>.partial and renamed
when complete. Prints one JSON line: {"structures", "distinct", "outOfBag", "seed"}.
"""

import argparse
import json
import os
import sys

import numpy as np
import pandas as pd

from mlip_autopipe.common.datasets import write_dataset


def bootstrap_indices(n: int, seed: int):
    """(train, out_of_bag): n indices drawn with replacement, sorted; the indices never drawn, sorted."""
    drawn = np.sort(np.random.default_rng(seed).integers(0, n, size=n))
    out_of_bag = np.setdiff1d(np.arange(n), drawn)
    return drawn, out_of_bag


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dataset")
    parser.add_argument("train_out")
    parser.add_argument("test_out")
    parser.add_argument("--seed", type=int, required=True)
    args = parser.parse_args()
    if args.seed < 0:
        print("--seed must be >= 0", file=sys.stderr)
        return 2
    frame = pd.read_pickle(args.dataset, compression="gzip")
    if len(frame) == 0:
        print(f"{args.dataset} holds no structures", file=sys.stderr)
        return 2
    drawn, out_of_bag = bootstrap_indices(len(frame), args.seed)
    for stale in (args.train_out, args.test_out):
        if os.path.exists(stale):
            os.remove(stale)
    write_dataset(frame.iloc[drawn].reset_index(drop=True), args.train_out)
    if len(out_of_bag) > 0:
        write_dataset(frame.iloc[out_of_bag].reset_index(drop=True), args.test_out)
    print(json.dumps({"structures": int(len(drawn)), "distinct": int(len(np.unique(drawn))),
                      "outOfBag": int(len(out_of_bag)), "seed": args.seed}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
