"""The mocked DFT factory: labels small metal structures with ASE's EMT calculator.

Usage: python emt_factory.py --elements Cu[,Ni] --count N --seed S [--start K]

Prints one JSON object per line on stdout: {"index", "kind", "structure", "results"} in the shape of the
calculation document contract v1 (flat arrays: positions and forces 3N, cell 9 or null, stress 6 in
Voigt order, eV / Å / eV/Å³). The caller adds _id, campaign, status and the rest. Output depends only on
the arguments (the same --seed gives the same numbers); --start/--count select a slice of that sequence.

Structures (small, so that a demo fit is fast): strained and rattled 2x2x2 cubic fcc supercells (32
atoms), the same with one vacancy (31 atoms), and (111) surface slabs (16 atoms, periodic cell with 12 Å of
vacuum along z; no stress). With two elements, the second substitutes a random 10-50 % of the sites. With
three to five (a high-entropy alloy), every site is drawn from a composition that is, in turn, equiatomic,
one element dominant (50-80 %), or random, at the lattice constant of that composition (Vegard's law).
"""

import argparse
import sys

import numpy as np
from ase.build import bulk, fcc111
from ase.calculators.emt import EMT, parameters
from ase.data import atomic_numbers, reference_states

from mlip_autopipe.demo.calculation_factory import calculation_record, run_factory

EMT_METALS = [s for s in ("Al", "Cu", "Ag", "Au", "Ni", "Pd", "Pt") if s in parameters]
# Five: the high-entropy alloys' usual count (pacemaker's species blocks grow as 2^(elements-1)).
MAX_ELEMENTS = 5


def lattice_constant(elements):
    return float(np.mean([reference_states[atomic_numbers[e]]["a"] for e in elements]))


def alloy_composition(rng, elements):
    """Site fractions for a several-element alloy: equiatomic, one element dominant, or random."""
    draw = rng.random()
    if draw < 1 / 3:
        return np.full(len(elements), 1 / len(elements))
    if draw < 2 / 3:
        dominant = rng.uniform(0.5, 0.8)
        fractions = np.full(len(elements), (1 - dominant) / (len(elements) - 1))
        fractions[int(rng.integers(len(elements)))] = dominant
        return fractions
    return rng.dirichlet(np.ones(len(elements)))


def make_structure(rng, elements, index):
    composition = alloy_composition(rng, elements) if len(elements) > 2 else None
    a0 = (
        lattice_constant(elements)
        if composition is None
        else float(composition @ [reference_states[atomic_numbers[e]]["a"] for e in elements])
    )
    kind_draw = rng.random()
    if kind_draw < 0.1:
        kind = "surface"
        atoms = fcc111(elements[0], size=(2, 2, 4), a=a0 * (1 + 0.01 * rng.standard_normal()), vacuum=6.0)
        # Periodic in all three directions with vacuum along z, as a plane-wave DFT code computes a slab
        # (pacemaker accepts only fully periodic or fully non-periodic structures).
        atoms.pbc = True
    else:
        kind = "vacancy" if kind_draw < 0.3 else "bulk"
        atoms = bulk(elements[0], "fcc", a=a0, cubic=True).repeat((2, 2, 2))
        strain = np.eye(3) + 0.02 * rng.standard_normal((3, 3))
        strain = (strain + strain.T) / 2
        atoms.set_cell(atoms.cell.array @ strain, scale_atoms=True)
        if kind == "vacancy":
            del atoms[int(rng.integers(len(atoms)))]
    if composition is not None:
        atoms.set_chemical_symbols(list(rng.choice(elements, size=len(atoms), p=composition)))
    elif len(elements) > 1:
        fraction = rng.uniform(0.1, 0.5)
        symbols = np.array(atoms.get_chemical_symbols())
        chosen = rng.random(len(atoms)) < fraction
        symbols[chosen] = elements[1]
        atoms.set_chemical_symbols(symbols.tolist())
    atoms.positions += rng.normal(0.0, 0.05, atoms.positions.shape)
    atoms.calc = EMT()
    energy = float(atoms.get_potential_energy())
    forces = atoms.get_forces()
    results = {"energy": energy, "forces": forces.reshape(-1).tolist()}
    if kind != "surface":  # a slab's stress (averaged over cell + vacuum) is not a useful target
        results["stress"] = atoms.get_stress(voigt=True).tolist()
    return calculation_record(index, kind, atoms, results)


def element_list(text):
    return [e.strip() for e in text.split(",") if e.strip()]


def main():
    def check(args):
        elements = element_list(args.elements)
        bad = [e for e in elements if e not in EMT_METALS]
        if not 1 <= len(elements) <= MAX_ELEMENTS or bad or len(set(elements)) != len(elements):
            return f"--elements: one to {MAX_ELEMENTS} distinct EMT metals from {', '.join(EMT_METALS)}; got {args.elements}"
        return None

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--elements", default="Cu", help="one EMT metal, or two to five (comma) for an alloy")
    return run_factory(parser, lambda rng, index, args: make_structure(rng, element_list(args.elements), index), check)


if __name__ == "__main__":
    sys.exit(main())
