"""The realistic mocked DFT factory: diverse silicon labelled with the Kumagai many-body potential.

Usage: python silicon_factory.py --count N --seed S [--start K]

EMT is too easy to tell a good fit from a poor one: its energy is a smooth function of a pair density, and
a 12-function ACE basis predicts held-out EMT copper to ~2 meV/atom. Silicon's covalent bonding is
directional and many-body: the Kumagai-Izumi-Hara-Sakai potential (Comp. Mat. Sci. 39, 457 (2007)),
a Tersoff-type bond-order potential fitted to ab initio data of many silicon phases, as implemented
in matscipy (a dependency of tensorpotential, so nothing extra to install). It is local and therefore
size-consistent (the same per-atom energy for a crystal in 8- and 64-atom cells), unlike a Gamma-point-only
tight-binding calculation in small cells, whose per-atom energy depends on the cell size and which no
local potential can fit. About a millisecond per structure.

Prints one JSON object per line on stdout, as emt_factory.py does: {"index", "kind", "structure",
"results"} in the shape of the calculation document contract v1 (flat arrays; eV, Å, eV/Å³). Output
depends only on the arguments; --start/--count select a slice of the sequence.

Structures (8-64 atoms, periodic): strained and rattled diamond, the same with one or two vacancies,
compressed and stretched diamond, and the denser phases beta-tin, simple cubic, bcc and fcc (the high-
pressure and liquid-like environments an active-learning campaign meets), each strained and rattled.
"""

import argparse
import sys

import numpy as np
from ase import Atoms
from ase.build import bulk
from matscipy.calculators.manybody import Manybody
from matscipy.calculators.manybody.explicit_forms import Kumagai
from matscipy.calculators.manybody.explicit_forms.kumagai import Kumagai_Comp_Mat_Sci_39_Si

from mlip_autopipe.demo.calculation_factory import calculation_record, labelled_results, run_factory

# Shortest Si-Si distance kept (the crystal bond is 2.35 Å).
MIN_DISTANCE = 2.0

CALCULATOR = Manybody(**Kumagai(Kumagai_Comp_Mat_Sci_39_Si))

# (kind, share of the structures): diamond environments dominate, as in a real silicon campaign.
KINDS = [("diamond", 0.35), ("vacancy", 0.15), ("diamond-eos", 0.10), ("beta-tin", 0.10),
         ("sc", 0.10), ("bcc", 0.10), ("fcc", 0.10)]


def base_structure(rng, kind):
    if kind in ("diamond", "vacancy", "diamond-eos"):
        reps = [(1, 1, 2), (2, 1, 1), (2, 2, 1), (2, 2, 2)][int(rng.integers(4))]
        atoms = bulk("Si", "diamond", a=5.43, cubic=True).repeat(reps)
        if kind == "vacancy":
            for _ in range(1 + int(rng.integers(2 if len(atoms) >= 32 else 1))):
                del atoms[int(rng.integers(len(atoms)))]
        return atoms
    if kind == "beta-tin":
        # Conventional body-centred tetragonal cell, 4 atoms (a = 4.92 Å, c/a = 0.55).
        a, c = 4.92, 4.92 * 0.552
        atoms = Atoms("Si4", cell=[a, a, c], pbc=True,
                      scaled_positions=[(0, 0, 0), (0.5, 0.5, 0.5), (0, 0.5, 0.25), (0.5, 0, 0.75)])
        return atoms.repeat((2, 2, 3))
    if kind == "sc":
        return bulk("Si", "sc", a=2.53).repeat((2, 2, 3))
    if kind == "bcc":
        return bulk("Si", "bcc", a=3.08, cubic=True).repeat((2, 2, 2))
    return bulk("Si", "fcc", a=3.87, cubic=True).repeat((2, 2, 1))


def make_structure(rng, index):
    draw = rng.random()
    cumulative = 0.0
    kind = KINDS[-1][0]
    for name, share in KINDS:
        cumulative += share
        if draw < cumulative:
            kind = name
            break
    atoms = base_structure(rng, kind)
    volume_strain = rng.uniform(-0.08, 0.10) if kind == "diamond-eos" else rng.uniform(-0.03, 0.03)
    shear = 0.02 * rng.standard_normal((3, 3))
    strain = np.eye(3) * (1 + volume_strain) ** (1 / 3) + (shear + shear.T) / 2
    atoms.set_cell(atoms.cell.array @ strain, scale_atoms=True)
    # Rattle, drawing again where two atoms came closer than MIN_DISTANCE: such a pair is far outside what
    # an active-learning campaign computes with DFT, and one of them would dominate any held-out error.
    sigma = rng.uniform(0.02, 0.10)
    start = atoms.positions.copy()
    for _ in range(50):
        atoms.positions = start + rng.normal(0.0, sigma, start.shape)
        distances = atoms.get_all_distances(mic=True) + np.eye(len(atoms)) * 1e3
        if distances.min() >= MIN_DISTANCE:
            break
    results = labelled_results(atoms, CALCULATOR)
    return calculation_record(index, kind, atoms, results)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    return run_factory(parser, lambda rng, index, _args: make_structure(rng, index))


if __name__ == "__main__":
    sys.exit(main())
