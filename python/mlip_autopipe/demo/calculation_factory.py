"""What the mocked DFT factories (emt_factory.py, silicon_factory.py, sic_factory.py) share: the contract-v1
record of one labelled structure (its atoms back: mlip_autopipe.common.structures.structure_atoms of its
"structure"), and the command line that prints a reproducible slice of the sequence as JSON lines. It
imports no factory: the factories import it, and labellers.py picks among them.

Each structure has its own random generator, seeded by (--seed, index), so any --start/--count slice
reproduces exactly the structures of the whole sequence.
"""

import argparse
import json
import sys

import numpy as np

from mlip_autopipe.common.structures import atoms_structure


def calculation_record(index, kind, atoms, results):
    """{"index", "kind", "structure", "results"} in the shape of the calculation document contract v1 (flat
    arrays; eV, Å, eV/Å³); the caller (seed-demo) adds _id, campaign, status and the rest."""
    return {
        "index": index,
        "kind": kind,
        "structure": atoms_structure(atoms),
        "results": results,
    }


def labelled_results(atoms, calc):
    """The contract's results of `atoms` labelled by `calc`: energy (eV), forces (eV/Å, flat) and, for a
    fully periodic cell, stress (eV/Å³, Voigt; optional in the contract, pacemaker does not fit it)."""
    atoms.calc = calc
    results = {"energy": float(atoms.get_potential_energy()), "forces": atoms.get_forces().reshape(-1).tolist()}
    if all(atoms.pbc) and atoms.cell.rank == 3:
        results["stress"] = atoms.get_stress(voigt=True).tolist()
    return results


def run_factory(parser: argparse.ArgumentParser, make_structure, check=None):
    """Adds --count/--start/--seed to the factory's own options, then prints one record per structure.
    make_structure(rng, index, args) returns a record; check(args) returns an error message or None."""
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--start", type=int, default=0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    problem = check(args) if check else None
    if problem is None and (args.count < 0 or args.start < 0):
        problem = "--count and --start must be >= 0"
    if problem is not None:
        print(problem, file=sys.stderr)
        return 2
    out = sys.stdout
    for index in range(args.start, args.start + args.count):
        rng = np.random.default_rng([args.seed, index])
        out.write(json.dumps(make_structure(rng, index, args)) + "\n")
    out.flush()
    return 0
