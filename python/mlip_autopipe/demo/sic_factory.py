"""The two-element mocked DFT factory: silicon–carbon across compositions, labelled with the Erhart–Albe
Tersoff-type potential (Phys. Rev. B 71, 035211 (2005)), as implemented in matscipy (a dependency of
tensorpotential, so nothing extra to install).

Usage: python sic_factory.py --count N --seed S [--start K]

A binary campaign's usual shape: the two elements alone, the compound, and off-stoichiometric structures
between them, where bonding changes character (covalent Si–Si 2.35 Å, polar Si–C 1.89 Å, stiff C–C
1.54 Å; cohesive energies 4.6, 6.3 and 7.4 eV/atom). EMT alloys are too easy to tell anything: their
energy is a smooth function of a pair density. Erhart–Albe is fitted to ab initio data of Si, C and SiC
phases, directional and many-body, and size-consistent. A few milliseconds per structure (tens where a
substituted cell is relaxed first).

Prints one JSON object per line, as the other factories do: {"index", "kind", "structure", "results"}
in the calculation document contract v1 (flat arrays; eV, Å, eV/Å³). Output depends only on the
arguments; --start/--count select a slice of the sequence. Every structure's record also names its
composition class ("composition"), which the factory knows and the contract does not carry.

Structures (8-64 atoms, periodic), by composition class:
  Si        diamond silicon, strained and rattled, some with a vacancy
  Si-rich   diamond silicon with 5-30 % of the sites carbon (substitutional solid solution), relaxed
  SiC       3C-SiC (zinc blende) and 2H-SiC (wurtzite), strained and rattled, and compressed or stretched
            3C-SiC (equation of state). (A relaxed Si antisite keeps pairs in Erhart–Albe's cutoff
            windows, below: it is left out; C antisites are the C-rich class.)
  C-rich    3C-SiC with 10-35 % of the silicon sites carbon (C antisites), relaxed
  C         diamond carbon, strained and rattled
"""

import argparse
import sys

import numpy as np
from ase.build import bulk
from ase.optimize import FIRE
from matscipy.calculators.manybody import Manybody
from matscipy.calculators.manybody.explicit_forms import TersoffBrenner
from matscipy.calculators.manybody.explicit_forms.tersoff_brenner import Erhart_PRB_71_035211_SiC

from mlip_autopipe.demo.calculation_factory import calculation_record, labelled_results, run_factory

CALCULATOR = Manybody(**TersoffBrenner(Erhart_PRB_71_035211_SiC))

# Where the potential's cutoff function switches each pair off (r1..r2: C–C, C–Si, Si–Si). Erhart–Albe's
# Si–Si window, 2.68–2.96 Å, lies just inside SiC's second-neighbour shell (3.08 Å): a little compression
# puts second neighbours there, and the cutoff's steep derivative gives forces of 5-12 eV/Å that no DFT
# calculation has. Structures with a pair in a window are drawn again, so the data holds the bonding, not
# the stand-in's artefact.
CUTOFF_WINDOWS = {
    pair: (r1, r2)
    for pair, r1, r2 in zip([("C", "C"), ("C", "Si"), ("Si", "Si")],
                            Erhart_PRB_71_035211_SiC["r1"], Erhart_PRB_71_035211_SiC["r2"])
}

# Shortest distance kept per pair, 85 % of its bond length: closer pairs are far outside what a campaign
# computes with DFT, and one would dominate any held-out error.
MIN_DISTANCE = {("Si", "Si"): 2.0, ("C", "Si"): 1.6, ("C", "C"): 1.3}

# (kind, composition class, share of the structures).
KINDS = [
    ("diamond-si", "Si", 0.12), ("vacancy-si", "Si", 0.04),
    ("si-rich", "Si-rich", 0.16),
    ("zincblende", "SiC", 0.28), ("wurtzite", "SiC", 0.10), ("sic-eos", "SiC", 0.08),
    ("c-rich", "C-rich", 0.12),
    ("diamond-c", "C", 0.12),
]

# Kinds whose sites are not those of a perfect crystal: relaxed before they are strained and rattled.
RELAXED = {"vacancy-si", "si-rich", "c-rich"}

REPEATS = [(1, 1, 1), (1, 1, 2), (2, 1, 1), (2, 2, 1), (2, 2, 2)]


def substitute(atoms, rng, sites_of, new, fraction):
    sites = [i for i, s in enumerate(atoms.get_chemical_symbols()) if s == sites_of]
    count = max(1, int(round(fraction * len(sites))))
    symbols = atoms.get_chemical_symbols()
    for i in rng.choice(sites, size=min(count, len(sites)), replace=False):
        symbols[int(i)] = new
    atoms.set_chemical_symbols(symbols)


def base_structure(rng, kind):
    reps = REPEATS[int(rng.integers(len(REPEATS)))]
    if kind in ("diamond-si", "vacancy-si", "si-rich"):
        atoms = bulk("Si", "diamond", a=5.43, cubic=True).repeat(reps)
        if kind == "vacancy-si":
            del atoms[int(rng.integers(len(atoms)))]
        if kind == "si-rich":
            # Carbon shrinks the lattice (Vegard): a mix of the two lattice constants.
            fraction = rng.uniform(0.05, 0.30)
            substitute(atoms, rng, "Si", "C", fraction)
            atoms.set_cell(atoms.cell.array * (1 - 0.4 * fraction * (1 - 4.36 / 5.43)), scale_atoms=True)
        return atoms
    if kind == "diamond-c":
        return bulk("C", "diamond", a=3.567, cubic=True).repeat(reps)
    if kind == "wurtzite":
        atoms = bulk("SiC", "wurtzite", a=3.08, c=5.05)
        return atoms.repeat([(2, 2, 1), (2, 2, 2), (3, 2, 1)][int(rng.integers(3))])
    atoms = bulk("SiC", "zincblende", a=4.36, cubic=True).repeat(reps)
    if kind == "c-rich":
        substitute(atoms, rng, "Si", "C", rng.uniform(0.10, 0.35))
    return atoms


def pair_windows(atoms):
    """(low, high): each pair's cutoff window, as matrices over the atoms of `atoms`."""
    symbols = atoms.get_chemical_symbols()
    pairs = [[tuple(sorted((a, b))) for b in symbols] for a in symbols]
    return (np.array([[CUTOFF_WINDOWS[p][0] for p in row] for row in pairs]),
            np.array([[CUTOFF_WINDOWS[p][1] for p in row] for row in pairs]))


def clear_of_cutoff_windows(atoms):
    """Whether no pair of `atoms` lies in a cutoff window, where the labels are the stand-in's artefact."""
    low, high = pair_windows(atoms)
    distances = atoms.get_all_distances(mic=True) + np.eye(len(atoms)) * 1e3
    return not ((distances > low) & (distances < high)).any()


def sampled(rng, kind, composition):
    """One strained and rattled cell of `kind` clear of the cutoff windows, or None when this draw of it
    (a substitution pattern that relaxes into a window) leaves no room outside them."""
    atoms = base_structure(rng, kind)
    if kind in RELAXED:
        # A substitution in an unrelaxed lattice leaves forces of several eV/Å that no DFT campaign keeps:
        # relax the positions first (a few FIRE steps), as one would before sampling around a defect.
        atoms.calc = CALCULATOR
        FIRE(atoms, logfile=None).run(fmax=0.1, steps=200)
        atoms.calc = None
    volume_strain = rng.uniform(-0.08, 0.10) if kind == "sic-eos" else rng.uniform(-0.03, 0.03)
    shear = 0.02 * rng.standard_normal((3, 3))
    strain = np.eye(3) * (1 + volume_strain) ** (1 / 3) + (shear + shear.T) / 2
    lattice, sites = atoms.cell.array.copy(), atoms.get_scaled_positions()
    symbols = atoms.get_chemical_symbols()
    pairs = [[tuple(sorted((symbols[a], symbols[b]))) for b in range(len(atoms))] for a in range(len(atoms))]
    limits = np.array([[MIN_DISTANCE[p] for p in row] for row in pairs])
    window_low, window_high = pair_windows(atoms)
    # Thermal-like displacements: Si–C and C–C bonds are 2-4x stiffer than Si–Si, so carbon-bearing cells
    # are rattled less, which keeps their forces in the range MD at a few hundred to ~1500 K meets.
    sigma = rng.uniform(0.02, 0.08) if composition == "Si" else rng.uniform(0.01, 0.04)
    for attempt in range(200):
        if attempt % 50 == 0:
            if attempt > 0:  # this strain leaves no room outside the windows: halve it
                strain = np.eye(3) + (strain - np.eye(3)) / 2
            atoms.set_cell(lattice @ strain)
            atoms.set_scaled_positions(sites)
            start = atoms.positions.copy()
        atoms.positions = start + rng.normal(0.0, sigma, start.shape)
        distances = atoms.get_all_distances(mic=True) + np.eye(len(atoms)) * 1e3
        if (distances >= limits).all() and not ((distances > window_low) & (distances < window_high)).any():
            return atoms
    return None


def make_structure(rng, index):
    draw = rng.random()
    cumulative = 0.0
    kind, composition = KINDS[-1][0], KINDS[-1][1]
    for name, klass, share in KINDS:
        cumulative += share
        if draw < cumulative:
            kind, composition = name, klass
            break
    # A relaxed substitution pattern can sit in a window whatever the rattle: draw another pattern.
    atoms = None
    while atoms is None:
        atoms = sampled(rng, kind, composition)
    results = labelled_results(atoms, CALCULATOR)
    record = calculation_record(index, kind, atoms, results)
    record["composition"] = composition
    return record


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    return run_factory(parser, lambda rng, index, _args: make_structure(rng, index))


if __name__ == "__main__":
    sys.exit(main())
