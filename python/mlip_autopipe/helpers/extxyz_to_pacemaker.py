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
The output is written under OUT.partial and renamed when complete. The gzip header carries no time
stamp, so the same extxyz gives the same bytes.

Output on stdout, one JSON object per line, flushed as it is printed:
  progress, at most about once a second while it runs (the caller heartbeats with it):
    {"phase": "converting", "converted": 12000}                    frames read so far
    {"phase": "pickling", "converted": 80000, "bytes": 31457280}   compressed bytes written so far
  the summary, always the last line:
    {"structures": 80000, "atoms": 3840000}

pacemaker handles only fully periodic or fully non-periodic structures: when some structure is periodic in
one or two directions only, nothing is written and the helper exits with code 3, naming those structures.

Memory: the pickle needs every structure at once, so memory grows with the dataset: about 5.5 kB per
structure plus 110 bytes per atom, pickling included, over Python's 0.12 GB (measured peaks: 0.41 GB for
50,000 two-atom structures, 0.99 GB for 80,000 of 48 atoms, which took 35 s). The frames are read one at
a time and kept only as the columns' objects; the file's text is never held.
"""

import gzip
import json
import os
import pickle
import sys
import time

import numpy as np
import pandas as pd
from ase.io import iread

PROGRESS_INTERVAL_S = 1.0
# zlib's default level: level 9 took 8 times as long on these numbers for a file 0.5 % smaller.
GZIP_LEVEL = 6


def emit(record: dict) -> None:
    print(json.dumps(record), flush=True)


class Throttle:
    """True at most once per PROGRESS_INTERVAL_S."""

    def __init__(self) -> None:
        self.last = time.monotonic()

    def due(self) -> bool:
        now = time.monotonic()
        if now - self.last < PROGRESS_INTERVAL_S:
            return False
        self.last = now
        return True


class ProgressFile:
    """A binary file that reports how many bytes went through it while the pickle is written."""

    def __init__(self, raw, converted: int) -> None:
        self.raw = raw
        self.converted = converted
        self.bytes = 0
        self.throttle = Throttle()

    def write(self, data) -> int:
        written = self.raw.write(data)
        self.bytes += len(data)
        if self.throttle.due():
            emit({"phase": "pickling", "converted": self.converted, "bytes": self.bytes})
        return written

    def flush(self) -> None:
        self.raw.flush()


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    source, out = sys.argv[1], sys.argv[2]
    columns = {"ase_atoms": [], "energy": [], "forces": [], "energy_corrected": [], "calc_id": []}
    mixed_pbc = []
    atom_count = 0
    throttle = Throttle()
    for atoms in iread(source, index=":", format="extxyz"):
        calc = atoms.calc
        if calc is None:
            raise SystemExit(f"frame {len(columns['energy'])} of {source} has no energy/forces")
        energy = float(calc.results["energy"])
        forces = np.asarray(calc.results["forces"], dtype=float)
        calc_id = atoms.info.get("calc_id")
        if atoms.pbc.any() and not atoms.pbc.all():
            mixed_pbc.append(str(calc_id))
        atoms.calc = None
        columns["ase_atoms"].append(atoms)
        columns["energy"].append(energy)
        columns["forces"].append(forces)
        columns["energy_corrected"].append(energy)
        # ASE parses a quoted numeric id ("123") as a number: keep it as text.
        columns["calc_id"].append(None if calc_id is None else str(calc_id))
        atom_count += len(atoms)
        if throttle.due():
            emit({"phase": "converting", "converted": len(columns["energy"])})
    structures = len(columns["energy"])
    if mixed_pbc:
        shown = ", ".join(mixed_pbc[:20]) + (f" and {len(mixed_pbc) - 20} more" if len(mixed_pbc) > 20 else "")
        print(
            f"pacemaker supports only fully periodic or non-periodic structures; {len(mixed_pbc)} structure(s) "
            f"are periodic in some directions only: {shown}",
            file=sys.stderr,
        )
        return 3
    if not structures:
        raise SystemExit(f"{source} holds no structures")
    emit({"phase": "converting", "converted": structures})
    frame = pd.DataFrame(columns, columns=list(columns))
    del columns  # the frame holds the same objects; the lists would only pin a second set of references
    partial = out + ".partial"
    # What DataFrame.to_pickle(compression="gzip") does, with a fixed time stamp and a progress count.
    with open(partial, "wb") as raw:
        counted = ProgressFile(raw, structures)
        with gzip.GzipFile(filename="", mode="wb", fileobj=counted, compresslevel=GZIP_LEVEL, mtime=0) as gz:
            pickle.dump(frame, gz, protocol=4)
        raw.flush()
        os.fsync(raw.fileno())
    os.replace(partial, out)
    emit({"structures": structures, "atoms": atom_count})
    return 0


if __name__ == "__main__":
    sys.exit(main())
