"""Converts the extxyz training set written by fetchTrainingData into pacemaker's dataset.

Usage: python extxyz_to_pacemaker.py DATASET.extxyz OUT.pckl.gzip

Writes a gzip-compressed pandas pickle (protocol 4) with the columns pacemaker reads:
  ase_atoms         ase.Atoms (positions, cell, pbc, symbols; no calculator attached)
  energy            total energy, eV
  forces            (N, 3) array, eV/Å
  energy_corrected  = energy. Reference (free-atom) energies are not subtracted here: pacemaker does that
                    itself when input.yaml sets `data.reference_energy`, so this file stays a plain record
                    of the DFT numbers and one dataset serves any choice of reference energies.
  calc_id           the calculation document's id (text), to trace a structure back to MongoDB
The output is written under OUT.partial and renamed when complete. Prints one JSON line with counts.

pacemaker handles only fully periodic or fully non-periodic structures: when some structure is periodic in
one or two directions only, nothing is written and the helper exits with code 3, naming those structures.
"""

import json
import os
import sys

import numpy as np
import pandas as pd
from ase.io import iread


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    source, out = sys.argv[1], sys.argv[2]
    rows = []
    mixed_pbc = []
    for atoms in iread(source, index=":", format="extxyz"):
        calc = atoms.calc
        if calc is None:
            raise SystemExit(f"frame {len(rows)} of {source} has no energy/forces")
        energy = float(calc.results["energy"])
        forces = np.asarray(calc.results["forces"], dtype=float)
        calc_id = atoms.info.get("calc_id")
        if atoms.pbc.any() and not atoms.pbc.all():
            mixed_pbc.append(str(calc_id))
        atoms.calc = None
        rows.append(
            {
                "ase_atoms": atoms,
                "energy": energy,
                "forces": forces,
                "energy_corrected": energy,
                # ASE parses a quoted numeric id ("123") as a number: keep it as text.
                "calc_id": None if calc_id is None else str(calc_id),
            }
        )
    if mixed_pbc:
        shown = ", ".join(mixed_pbc[:20]) + (f" and {len(mixed_pbc) - 20} more" if len(mixed_pbc) > 20 else "")
        print(
            f"pacemaker supports only fully periodic or non-periodic structures; {len(mixed_pbc)} structure(s) "
            f"are periodic in some directions only: {shown}",
            file=sys.stderr,
        )
        return 3
    if not rows:
        raise SystemExit(f"{source} holds no structures")
    frame = pd.DataFrame(rows, columns=["ase_atoms", "energy", "forces", "energy_corrected", "calc_id"])
    partial = out + ".partial"
    frame.to_pickle(partial, compression="gzip", protocol=4)
    os.replace(partial, out)
    print(json.dumps({"structures": len(rows), "atoms": int(sum(len(r["ase_atoms"]) for r in rows))}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
