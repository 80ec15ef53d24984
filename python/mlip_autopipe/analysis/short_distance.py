"""Forces just inside the data's shortest interatomic distances: where MD at a few hundred kelvin goes
within picoseconds, and where a fitted potential either degrades smoothly and stays repulsive or breaks
down ("lost atoms").

Usage: python short_distance.py POTENTIAL.yace --labeller emt|kumagai-si|erhart-albe-sic [--elements Cu[,Ni]]
           --train-count N [--seed S] [--count M] [--low 0.85] [--high 1.0]

The training data is structures 0..N-1 of the labeller's sequence for --seed (what `mlip-train seed-demo`
inserts); its shortest distance is found for every element pair. Then M structures the data never had
(indices from N + 10000 on) each get one nearest-neighbour pair pushed to a fraction f of the data's
shortest distance for that pair, f spread evenly over [--low, --high], by moving both atoms along their
bond; the labeller labels them (a structure where that puts another pair into the labeller's own cutoff
window, Erhart–Albe's, is drawn again: those labels are the stand-in's artefact). Prints one JSON line: the shortest distances, and per structure f, the
pair, the force RMSE (eV/Å, all components) and whether the potential pushes the pair apart; summaries
for the bands 0.95-1.0 and 0.85-0.95 (median, worst, count above 1 eV/Å, share pushed apart); and the
energy along one pair's compression curve (the pair in a crystal compressed from 1.1 to 0.6 of its
shortest distance, the end of the switch to core repulsion), labeller against potential, and the same for
one pair of every pair type the data has ("compressions").
"""
import argparse
import json
from collections import defaultdict

import numpy as np
from ase.neighborlist import neighbor_list

from mlip_autopipe.common.structures import structure_atoms
from mlip_autopipe.demo.labellers import DEMO_LABELLERS, demo_labeller


def pair_key(a, b):
    return "-".join(sorted((a, b)))


def shortest_distances(structures, cutoff=4.0):
    shortest = defaultdict(lambda: np.inf)
    for atoms in structures:
        i, j, d = neighbor_list("ijd", atoms, cutoff)
        symbols = atoms.get_chemical_symbols()
        for a, b, r in zip(i, j, d):
            key = pair_key(symbols[a], symbols[b])
            shortest[key] = min(shortest[key], float(r))
    return dict(shortest)


def push_pair(atoms, rng, shortest, fraction, only=None):
    """Moves a random nearest-neighbour pair (whose type the data has, or `only`) to fraction × its shortest
    distance."""
    i, j, d, D = neighbor_list("ijdD", atoms, 4.0)
    symbols = atoms.get_chemical_symbols()
    order = rng.permutation(len(atoms))
    for a in order:
        mine = np.flatnonzero(i == a)
        if len(mine) == 0:
            continue
        k = mine[np.argmin(d[mine])]
        b = j[k]
        key = pair_key(symbols[a], symbols[b])
        if key not in shortest or a == b or (only is not None and key != only):
            continue
        target = fraction * shortest[key]
        unit = D[k] / d[k]
        move = (d[k] - target) / 2 * unit
        atoms.positions[a] += move
        atoms.positions[b] -= move
        return int(a), int(b), key, unit
    raise RuntimeError("no pair of a type the data has")


def band_summary(rows, keep):
    chosen = [r for r in rows if keep(r["fraction"])]
    if not chosen:
        return None
    rmse = np.array([r["forceRmse"] for r in chosen])
    return {
        "structures": len(chosen),
        "medianForceRmse": float(np.median(rmse)),
        "worstForceRmse": float(rmse.max()),
        "above1": int((rmse > 1.0).sum()),
        "pushedApart": float(np.mean([r["pushedApart"] for r in chosen])),
    }


def compression_curve(make, reference, potential, shortest, only=None):
    """Energy (eV) of a pair compressed in a crystal, from 1.1 to 0.6 of the data's shortest distance: down to
    the end of the switch to core repulsion (src/pacemaker/inner-cutoff.ts: 0.95 - 0.35). `only` names the
    pair type; the first of the labeller's structures that has one nearest-neighbour pair of it is used."""
    for index in range(200):
        atoms = structure_atoms(make(np.random.default_rng([424242, index]), index)["structure"])
        try:
            a, b, key, unit = push_pair(atoms, np.random.default_rng(7), shortest, 1.0, only)
            break
        except RuntimeError:
            continue
    else:
        return None
    base = atoms.positions.copy()
    curve = []
    for f in np.linspace(1.1, 0.6, 11):
        atoms.positions = base.copy()
        move = (1.0 - f) * shortest[key] / 2 * unit
        atoms.positions[a] += move
        atoms.positions[b] -= move
        atoms.calc = reference
        e_ref = float(atoms.get_potential_energy())
        atoms.calc = potential
        e_pot = float(atoms.get_potential_energy())
        curve.append({"fraction": round(float(f), 3), "distance": float(f * shortest[key]),
                      "reference": e_ref, "potential": e_pot})
    e0r, e0p = curve[0]["reference"], curve[0]["potential"]
    for point in curve:
        point["reference"] -= e0r
        point["potential"] -= e0p
    return {"pair": key, "points": curve}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("potential")
    parser.add_argument("--labeller", choices=DEMO_LABELLERS, required=True)
    parser.add_argument("--elements", default="Cu")
    parser.add_argument("--train-count", type=int, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--low", type=float, default=0.85)
    parser.add_argument("--high", type=float, default=1.0)
    args = parser.parse_args()
    from pyace import PyACECalculator

    make, reference, clear = demo_labeller(args.labeller, [e for e in args.elements.split(",") if e])
    training = [structure_atoms(make(np.random.default_rng([args.seed, k]), k)["structure"])
                for k in range(args.train_count)]
    shortest = shortest_distances(training)
    potential = PyACECalculator(args.potential)
    rows = []
    for n, fraction in enumerate(np.linspace(args.low, args.high, args.count)):
        # A pushed pair moves its atoms' other neighbours too: where that puts a pair in the labeller's own
        # cutoff window (Erhart–Albe), its forces are an artefact no potential should match; draw again.
        for attempt in range(20):
            index = args.train_count + 10000 + n + 1000 * attempt
            rng = np.random.default_rng([args.seed, index])
            atoms = structure_atoms(make(rng, index)["structure"])
            a, b, key, unit = push_pair(atoms, rng, shortest, float(fraction))
            if clear(atoms):
                break
        atoms.calc = reference
        f_ref = atoms.get_forces().copy()
        atoms.calc = potential
        f_pot = atoms.get_forces().copy()
        # Apart: each atom of the pair is pushed away from the other (unit points from a to b).
        apart = bool(f_pot[a] @ unit < 0 and f_pot[b] @ unit > 0)
        rows.append({"fraction": float(fraction), "pair": key,
                     "forceRmse": float(np.sqrt(np.mean((f_pot - f_ref) ** 2))),
                     "pushedApart": apart,
                     "referencePushedApart": bool(f_ref[a] @ unit < 0 and f_ref[b] @ unit > 0)})
    print(json.dumps({
        "shortest": shortest,
        "near": band_summary(rows, lambda f: f >= 0.95),
        "inside": band_summary(rows, lambda f: f < 0.95),
        "structures": rows,
        "compression": compression_curve(make, reference, potential, shortest),
        "compressions": [curve for curve in (compression_curve(make, reference, potential, shortest, key)
                                             for key in sorted(shortest)) if curve is not None],
    }))


if __name__ == "__main__":
    main()
