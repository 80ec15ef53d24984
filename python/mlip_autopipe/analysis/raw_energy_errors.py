"""Errors of a published .yace as a user meets them: pyace on structures of a demo labeller's sequence.

Usage: python raw_energy_errors.py POTENTIAL.yace --labeller emt|kumagai-si|erhart-albe-sic
           [--elements Cu[,Ni]] --seed S --start K --count M

Makes structures K..K+M-1 of the labeller's sequence for --seed (those `mlip-train seed-demo` inserts; a
--start beyond a campaign's count, or another --seed, gives structures it never saw), predicts them with
pyace's PyACECalculator (the evaluator LAMMPS's ML-PACE uses) and compares with the labeller's total
energies as they are: no reference energy or offset is removed, so an energy error here is what a user's
cohesive energies, equations of state and formation energies carry. Prints one JSON line: counts, RMSE,
MAE and mean of the energy error per atom (meV/atom), RMSE and MAE of force components (meV/Å), the
structures per kind (per composition class where the labeller names one), the worst energy, and the
errors per composition class (mlip_autopipe.common.composition's classes, those of the training metrics).
"""
import argparse
import json
import sys
from collections import Counter, defaultdict

import numpy as np

from mlip_autopipe.common.composition import composition_class
from mlip_autopipe.common.structures import structure_atoms
from mlip_autopipe.demo.labellers import DEMO_LABELLERS, demo_labeller


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("potential")
    parser.add_argument("--labeller", choices=DEMO_LABELLERS, required=True)
    parser.add_argument("--elements", default="Cu")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--start", type=int, default=0)
    parser.add_argument("--count", type=int, required=True)
    args = parser.parse_args()
    from pyace import PyACECalculator

    make, _, _ = demo_labeller(args.labeller, [e for e in args.elements.split(",") if e])
    calc = PyACECalculator(args.potential)
    de, dforces, kinds, atoms_total, worst = [], [], Counter(), 0, None
    classes = defaultdict(lambda: {"de": [], "df": []})
    for index in range(args.start, args.start + args.count):
        record = make(np.random.default_rng([args.seed, index]), index)
        atoms = structure_atoms(record["structure"])
        atoms.calc = calc
        n = len(atoms)
        e = (float(atoms.get_potential_energy()) - record["results"]["energy"]) / n
        f = np.asarray(atoms.get_forces(), dtype=float).ravel() - np.asarray(record["results"]["forces"], dtype=float)
        de.append(e)
        dforces.append(f)
        kinds[record.get("composition", record["kind"])] += 1
        atoms_total += n
        klass = classes[composition_class(Counter(atoms.get_chemical_symbols()))]
        klass["de"].append(e)
        klass["df"].append(f)
        if worst is None or abs(e) > abs(worst["energyErrorMeVPerAtom"]) / 1000:
            worst = {"index": index, "kind": record["kind"], "atoms": n, "energyErrorMeVPerAtom": e * 1000}
    de = np.asarray(de)
    dforces = np.concatenate(dforces)
    print(json.dumps({
        "structures": len(de),
        "atoms": atoms_total,
        "seed": args.seed,
        "start": args.start,
        "rmseEnergyMeVPerAtom": float(np.sqrt(np.mean(de ** 2)) * 1000),
        "maeEnergyMeVPerAtom": float(np.mean(np.abs(de)) * 1000),
        "meanEnergyErrorMeVPerAtom": float(np.mean(de) * 1000),
        "rmseForcesMeVPerA": float(np.sqrt(np.mean(dforces ** 2)) * 1000),
        "maeForcesMeVPerA": float(np.mean(np.abs(dforces)) * 1000),
        "kinds": dict(kinds),
        "worstEnergy": worst,
        "byComposition": {
            name: {"structures": len(c["de"]),
                   "rmseEnergyMeVPerAtom": float(np.sqrt(np.mean(np.square(c["de"]))) * 1000),
                   "rmseForcesMeVPerA": float(np.sqrt(np.mean(np.square(np.concatenate(c["df"])))) * 1000)}
            for name, c in sorted(classes.items())
        },
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
