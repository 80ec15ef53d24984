"""The held-out test set of a several-element training, drawn from every composition class of its data.

Usage: python stratified_split.py DATASET.pckl.gzip TRAIN_OUT.pckl.gzip TEST_OUT.pckl.gzip
           --test-size F --seed S

pacemaker's own split (data.test_size) draws the test structures at random from the whole dataset: a class
of a few structures (the C-rich corner of a Si–C campaign) is often not tested at all, so nobody learns that
it fits worse. Here every composition class (mlip_autopipe.common.composition's: one element, "<El>-rich",
"mixed") gives its share: a fraction F < 1 holds out floor(F × n) of a class of n, at least one where the
class has two or more; a whole number F holds out that many structures in all, shared across classes in
proportion to their sizes (largest remainders), at least one from each class of two or more that the
count reaches. A class never gives all its structures. Drawn with numpy default_rng(S): the same seed gives
the same split.

Rows are copied unchanged, with a fresh index, under <name>.partial and renamed when complete. When nothing
would be held out, TEST_OUT is not written. Prints one JSON line: {"structures", "test", "classes":
{class: [train, test]}, "seed"}.
"""

import argparse
import json
import os
import sys
from collections import Counter

import numpy as np
import pandas as pd

from mlip_autopipe.common.composition import composition_class
from mlip_autopipe.common.datasets import write_dataset


def allocate(sizes, test_size):
    """{class: structures held out} for {class: structures}, as the module docstring says."""
    if test_size < 1:
        return {c: min(n - 1, max(1, int(np.floor(n * test_size)))) if n >= 2 else 0 for c, n in sizes.items()}
    total = sum(sizes.values())
    want = min(int(test_size), total - 1)
    eligible = {c: n for c, n in sizes.items() if n >= 2}
    exact = {c: want * n / total for c, n in eligible.items()}
    held = {c: min(n - 1, max(1, int(np.floor(exact[c])))) if c in eligible else 0 for c, n in sizes.items()}
    # Largest remainders first, then the largest classes, until the count is reached (or nothing can give).
    order = sorted(eligible, key=lambda c: (-(exact[c] - np.floor(exact[c])), -sizes[c], c))
    while sum(held.values()) < want and any(held[c] < sizes[c] - 1 for c in order):
        for c in order:
            if sum(held.values()) >= want:
                break
            if held[c] < sizes[c] - 1:
                held[c] += 1
    while sum(held.values()) > want:
        c = max((c for c in held if held[c] > 1), key=lambda c: (held[c], c), default=None)
        if c is None:
            break
        held[c] -= 1
    return held


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dataset")
    parser.add_argument("train_out")
    parser.add_argument("test_out")
    parser.add_argument("--test-size", type=float, required=True)
    parser.add_argument("--seed", type=int, required=True)
    args = parser.parse_args()
    frame = pd.read_pickle(args.dataset, compression="gzip")
    classes = [composition_class(Counter(a.get_chemical_symbols())) for a in frame["ase_atoms"]]
    sizes = Counter(classes)
    held = allocate(dict(sizes), args.test_size)
    rng = np.random.default_rng(args.seed)
    test = []
    for c in sorted(sizes):
        members = [i for i, k in enumerate(classes) if k == c]
        test.extend(int(i) for i in rng.choice(members, size=held[c], replace=False))
    test = sorted(test)
    train = sorted(set(range(len(frame))) - set(test))
    for stale in (args.train_out, args.test_out):
        if os.path.exists(stale):
            os.remove(stale)
    write_dataset(frame.iloc[train].reset_index(drop=True), args.train_out)
    if test:
        write_dataset(frame.iloc[test].reset_index(drop=True), args.test_out)
    print(json.dumps({"structures": len(frame), "test": len(test),
                      "classes": {c: [sizes[c] - held[c], held[c]] for c in sorted(sizes)}, "seed": args.seed}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
