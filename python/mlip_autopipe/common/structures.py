"""Structures in the calculations contract (flat arrays: positions 3N Å, cell 9 Å row-major or None, pbc)
and ase.Atoms, both ways."""
import numpy as np


def structure_atoms(structure: dict):
    """ase.Atoms of a `structure` in the calculations contract: flat positions, flat cell or None, pbc."""
    from ase import Atoms

    positions = np.reshape(np.asarray(structure["positions"], dtype=float), (-1, 3))
    cell = structure.get("cell")
    return Atoms(symbols=structure["symbols"], positions=positions,
                 cell=None if cell is None else np.reshape(np.asarray(cell, dtype=float), (3, 3)),
                 pbc=structure.get("pbc", [False, False, False]))


def atoms_structure(atoms) -> dict:
    """The calculations contract's `structure` of an ase.Atoms (its cell always given, flat)."""
    return {
        "symbols": atoms.get_chemical_symbols(),
        "positions": atoms.positions.reshape(-1).tolist(),
        "cell": atoms.cell.array.reshape(-1).tolist(),
        "pbc": [bool(p) for p in atoms.pbc],
    }
