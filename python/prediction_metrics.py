"""Final train/test errors of a pacemaker fit, from pacemaker's own prediction files.

pacemaker writes train_pred.pckl.gzip (and test_pred.pckl.gzip when data.test_size > 0) after the fit:
each row has the reference (energy_corrected, forces) and the prediction (energy_pred, forces_pred).
Prints JSON: {"train": {...}, "test": {...} or null} with RMSE/MAE of energy per atom in meV/atom and of
force components in meV/Å, plus the counts they are computed over.

Usage: python prediction_metrics.py WORKSPACE_DIR
"""
import json
import os
import sys

import numpy as np
import pandas as pd


def errors(path):
    if not os.path.exists(path):
        return None
    df = pd.read_pickle(path, compression="gzip")
    if len(df) == 0:
        return None
    natoms = df["NUMBER_OF_ATOMS"].to_numpy(dtype=float)
    de = (df["energy_pred"].to_numpy(dtype=float) - df["energy_corrected"].to_numpy(dtype=float)) / natoms
    df_ = np.concatenate([np.asarray(p, dtype=float).ravel() - np.asarray(r, dtype=float).ravel()
                          for p, r in zip(df["forces_pred"], df["forces"])])
    return {
        "structures": int(len(df)),
        "atoms": int(natoms.sum()),
        "rmseEnergyMeVPerAtom": float(np.sqrt(np.mean(de ** 2)) * 1000),
        "maeEnergyMeVPerAtom": float(np.mean(np.abs(de)) * 1000),
        "rmseForcesMeVPerA": float(np.sqrt(np.mean(df_ ** 2)) * 1000),
        "maeForcesMeVPerA": float(np.mean(np.abs(df_)) * 1000),
    }


workspace = sys.argv[1]
print(json.dumps({
    "train": errors(os.path.join(workspace, "train_pred.pckl.gzip")),
    "test": errors(os.path.join(workspace, "test_pred.pckl.gzip")),
}))
