"""Bench helper: errors of a published .yace on fresh Kumagai-labelled silicon, evaluated with pyace.

Usage: python evaluate_potential.py POTENTIAL.yace --count M --seed S [--start K] [--pacemaker-log LOG]

Makes structures K..K+M-1 of python/silicon_factory.py's sequence for seed S (the structures that
`mlip-train seed-demo --labeller kumagai-si --seed S --start K --count M` would insert), labels them with
the Kumagai potential, predicts them with pyace's PyACECalculator and prints one JSON line: counts, RMSE
and MAE of energy per atom (meV/atom) and of force components (meV/Å), as python/prediction_metrics.py
computes them, plus the mean energy error (meV/atom, a constant offset would show there) and the kinds.

pacemaker fits energy_corrected = energy - sum over atoms of the single-atom reference energies (+ shift per
atom, with `reference_energy: auto`), and the .yace predicts that corrected energy. --pacemaker-log (the fit's
published stdout) supplies the reference energies it logged, so that the reference here is corrected the
same way as pacemaker's own train/test metrics; without it the raw energies are compared.
"""

import argparse
import ast
import json
import os
import re
import sys
from collections import Counter

import numpy as np
from pyace import PyACECalculator

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from calculation_factory import record_atoms  # noqa: E402
from silicon_factory import make_structure  # noqa: E402


def reference_energies(log_path):
    """The last single-atom reference energies pacemaker logged: {element: eV, "shift": eV/atom}, or None."""
    found = None
    with open(log_path, encoding="utf-8", errors="replace") as f:
        for line in re.split(r"[\r\n]+", f.read()):
            m = re.search(r"(?:Computed single-atom reference energy: |Using )(\{.*?\})(?: as single-atom|$)", line)
            if m:
                found = ast.literal_eval(re.sub(r"np\.float64\(([^)]*)\)", r"\1", m.group(1)))
                continue
            m = re.search(r"Using constant reference energy (\S+)", line)
            if m:
                found = {"*": float(m.group(1))}
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("potential")
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--start", type=int, default=0)
    parser.add_argument("--pacemaker-log")
    args = parser.parse_args()
    reference = reference_energies(args.pacemaker_log) if args.pacemaker_log else None
    shift = float(reference.get("shift", 0)) if reference else 0.0
    calc = PyACECalculator(args.potential)
    de, dforces, kinds, atoms_total = [], [], Counter(), 0
    worst = None
    for index in range(args.start, args.start + args.count):
        doc = make_structure(np.random.default_rng([args.seed, index]), index)
        s, r = doc["structure"], doc["results"]
        atoms = record_atoms(doc)
        atoms.calc = calc
        n = len(atoms)
        target = r["energy"] + shift * n
        if reference:
            target -= sum(float(reference.get(sym, reference.get("*", 0))) for sym in s["symbols"])
        e = (float(atoms.get_potential_energy()) - target) / n
        f = np.asarray(atoms.get_forces(), dtype=float).ravel() - np.asarray(r["forces"], dtype=float)
        de.append(e)
        dforces.append(f)
        kinds[doc["kind"]] += 1
        atoms_total += n
        if worst is None or abs(e) > abs(worst["energyErrorMeVPerAtom"]) / 1000:
            worst = {"index": index, "kind": doc["kind"], "atoms": n, "energyErrorMeVPerAtom": e * 1000}
    de = np.asarray(de)
    dforces = np.concatenate(dforces)
    print(json.dumps({
        "structures": len(de),
        "atoms": atoms_total,
        "seed": args.seed,
        "start": args.start,
        "referenceEnergy": {k: float(v) for k, v in reference.items()} if reference else None,
        "rmseEnergyMeVPerAtom": float(np.sqrt(np.mean(de ** 2)) * 1000),
        "maeEnergyMeVPerAtom": float(np.mean(np.abs(de)) * 1000),
        "meanEnergyErrorMeVPerAtom": float(np.mean(de) * 1000),
        "rmseForcesMeVPerA": float(np.sqrt(np.mean(dforces ** 2)) * 1000),
        "maeForcesMeVPerA": float(np.mean(np.abs(dforces)) * 1000),
        "kinds": dict(kinds),
        "worstEnergy": worst,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
