"""Predictions of one ACE potential or a committee of them, with the two numbers an active-learning loop
ranks structures by: the extrapolation grade gamma (from the active set) and the committee's force
disagreement.

gamma needs the B-basis potential (potential.yaml): pyace's calculator reads an active set only with the
B-basis evaluator, which computes the same energies and forces as the .yace. The committee members are read
from their .yace files (the faster C-tilde evaluator) when no active set is asked of them.

Used by score_candidates.py (the scoring activity) and by the tests and benches that measure how a
committee's disagreement tracks its error. Importable without side effects.
"""
from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np


@dataclass
class Prediction:
    """One structure's predictions. energies: (K,) eV; forces: (K, N, 3) eV/Å; gamma: (N,) or None."""

    energies: np.ndarray
    forces: np.ndarray
    gamma: Optional[np.ndarray]

    @property
    def gamma_max(self) -> Optional[float]:
        return None if self.gamma is None else float(np.max(self.gamma))

    @property
    def mean_forces(self) -> np.ndarray:
        return self.forces.mean(axis=0)

    @property
    def force_disagreement(self) -> Optional[np.ndarray]:
        """Per atom: the RMS over x, y, z of the members' standard deviation (eV/Å); None for one potential."""
        return force_disagreement(self.forces) if self.forces.shape[0] > 1 else None

    @property
    def force_disagreement_max(self) -> Optional[float]:
        d = self.force_disagreement
        return None if d is None else float(np.max(d))


def force_disagreement(forces: np.ndarray) -> np.ndarray:
    """(K, N, 3) member forces → (N,) per-atom disagreement: sqrt(mean over xyz of the variance over members)."""
    return np.sqrt(np.mean(np.var(forces, axis=0), axis=-1))


class Committee:
    """K >= 1 potentials evaluated on the same structures, with gamma from an active set when one is given.

    Two ways to get gamma:
    - active_set (+ active_set_potential, its B-basis .yaml): one extra evaluator gives gamma; the members
      themselves may be .yace files.
    - active_sets: one .asi (or None) per member, each built for that member, whose entry in `potentials`
      is then its B-basis .yaml: forces and gamma come from the same evaluation, and an atom's gamma is the
      smallest over the members that have an active set. Members fitted to different resamples each know
      their own part of the data; an environment any of them was fitted to reads as known.
    """

    def __init__(self, potentials: Sequence[str], active_set: Optional[str] = None,
                 active_set_potential: Optional[str] = None,
                 active_sets: Optional[Sequence[Optional[str]]] = None):
        from pyace import PyACECalculator

        if len(potentials) == 0:
            raise ValueError("a committee needs at least one potential file")
        if active_sets is not None and active_set is not None:
            raise ValueError("give either active_set or active_sets, not both")
        if active_sets is not None and len(active_sets) != len(potentials):
            raise ValueError("active_sets needs one entry (an .asi or None) per potential")
        self.calculators = [PyACECalculator(p) for p in potentials]
        self.member_gamma = [False] * len(potentials)
        for k, asi in enumerate(active_sets or []):
            if asi is not None:
                if not potentials[k].endswith(".yaml"):
                    raise ValueError(f"member {k}: an active set needs the member's B-basis potential (.yaml)")
                self.calculators[k].set_active_set(asi)
                self.member_gamma[k] = True
        self.gamma_calculator = None
        if active_set is not None:
            if active_set_potential is None:
                raise ValueError("an active set needs the B-basis potential (.yaml) it was built for")
            self.gamma_calculator = PyACECalculator(active_set_potential)
            self.gamma_calculator.set_active_set(active_set)

    @property
    def elements(self) -> set:
        return {e.decode() if isinstance(e, bytes) else str(e) for e in self.calculators[0].elements_name}

    @property
    def has_gamma(self) -> bool:
        return self.gamma_calculator is not None or any(self.member_gamma)

    def predict(self, atoms) -> Prediction:
        energies, forces, gammas = [], [], []
        for calc, with_gamma in zip(self.calculators, self.member_gamma):
            calc.calculate(atoms, properties=("energy", "forces"))
            energies.append(float(calc.results["energy"]))
            forces.append(np.array(calc.results["forces"], dtype=float))
            if with_gamma:
                gammas.append(np.array(calc.results["gamma"], dtype=float))
        gamma = np.min(np.stack(gammas), axis=0) if gammas else None
        if self.gamma_calculator is not None:
            self.gamma_calculator.calculate(atoms, properties=("energy", "forces"))
            gamma = np.array(self.gamma_calculator.results["gamma"], dtype=float)
        return Prediction(energies=np.array(energies), forces=np.stack(forces), gamma=gamma)


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    """Spearman's rank correlation (average ranks for ties), without scipy."""
    def ranks(v):
        v = np.asarray(v, dtype=float)
        order = np.argsort(v, kind="mergesort")
        r = np.empty(len(v))
        r[order] = np.arange(len(v), dtype=float)
        for value in np.unique(v):
            tie = v == value
            r[tie] = r[tie].mean()
        return r

    rx, ry = ranks(x), ranks(y)
    if np.std(rx) == 0 or np.std(ry) == 0:
        return 0.0
    return float(np.corrcoef(rx, ry)[0, 1])
