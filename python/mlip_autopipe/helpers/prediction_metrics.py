"""Final train/test errors of a pacemaker fit, from pacemaker's own prediction files.

pacemaker writes train_pred.pckl.gzip (and test_pred.pckl.gzip when the fit has a test set) after the fit:
each row has the reference (energy_corrected, forces) and the prediction (energy_pred, forces_pred).
Prints JSON: {"train": {...}, "test": {...} or null} with RMSE/MAE of energy per atom in meV/atom and of
force components in meV/Å, plus the counts they are computed over, and the same errors broken down:
  byComposition  per composition class of the structures (mlip_autopipe.common.composition), so that a
                 user sees which part of a campaign fits worse
  byElement      force RMSE per element of the atoms, where the atoms' elements can be told (the datasets
                 named in the workspace's input.yaml, matched by calc_id)

Usage: python prediction_metrics.py WORKSPACE_DIR
"""
import json
import os
import sys
from collections import defaultdict

import numpy as np
import pandas as pd
import yaml

from mlip_autopipe.common.composition import composition_class


def dataset_symbols(workspace):
    """calc_id → chemical symbols of every structure in the datasets input.yaml names; {} if unknown."""
    try:
        with open(os.path.join(workspace, "input.yaml"), encoding="utf-8") as f:
            data = (yaml.safe_load(f) or {}).get("data") or {}
    except OSError:
        return {}
    symbols = {}
    for key in ("filename", "test_filename"):
        path = data.get(key)
        if not isinstance(path, str):
            continue
        path = path if os.path.isabs(path) else os.path.join(workspace, path)
        if not os.path.exists(path):
            continue
        df = pd.read_pickle(path, compression="gzip")
        if "calc_id" not in df.columns:
            continue
        for calc_id, atoms in zip(df["calc_id"], df["ase_atoms"]):
            symbols[calc_id] = atoms.get_chemical_symbols()
    return symbols


def summary(de, dforces, natoms):
    return {
        "structures": int(len(de)),
        "atoms": int(natoms.sum()),
        "rmseEnergyMeVPerAtom": float(np.sqrt(np.mean(de ** 2)) * 1000),
        "maeEnergyMeVPerAtom": float(np.mean(np.abs(de)) * 1000),
        "rmseForcesMeVPerA": float(np.sqrt(np.mean(dforces ** 2)) * 1000),
        "maeForcesMeVPerA": float(np.mean(np.abs(dforces)) * 1000),
    }


def errors(path, symbols):
    if not os.path.exists(path):
        return None
    df = pd.read_pickle(path, compression="gzip")
    if len(df) == 0:
        return None
    natoms = df["NUMBER_OF_ATOMS"].to_numpy(dtype=float)
    de = (df["energy_pred"].to_numpy(dtype=float) - df["energy_corrected"].to_numpy(dtype=float)) / natoms
    per_structure = [np.asarray(p, dtype=float).reshape(-1, 3) - np.asarray(r, dtype=float).reshape(-1, 3)
                     for p, r in zip(df["forces_pred"], df["forces"])]
    result = summary(de, np.concatenate([f.ravel() for f in per_structure]), natoms)

    classes = ([composition_class(c) for c in df["comp_dict"]] if "comp_dict" in df.columns else None)
    if classes is not None:
        by_class = {}
        for name in sorted(set(classes)):
            rows = [i for i, c in enumerate(classes) if c == name]
            by_class[name] = summary(de[rows], np.concatenate([per_structure[i].ravel() for i in rows]),
                                     natoms[rows])
        result["byComposition"] = by_class

    ids = df["calc_id"].tolist() if "calc_id" in df.columns else []
    if ids and all(i in symbols and len(symbols[i]) == len(f) for i, f in zip(ids, per_structure)):
        squares, counts = defaultdict(float), defaultdict(int)
        for calc_id, f in zip(ids, per_structure):
            for element, row in zip(symbols[calc_id], f):
                squares[element] += float(np.sum(row ** 2))
                counts[element] += 1
        result["byElement"] = {e: {"atoms": counts[e], "rmseForcesMeVPerA": float(np.sqrt(squares[e] / (3 * counts[e])) * 1000)}
                               for e in sorted(counts)}
    return result


def main():
    workspace = sys.argv[1]
    symbols = dataset_symbols(workspace)
    print(json.dumps({
        "train": errors(os.path.join(workspace, "train_pred.pckl.gzip"), symbols),
        "test": errors(os.path.join(workspace, "test_pred.pckl.gzip"), symbols),
    }))


if __name__ == "__main__":
    main()
