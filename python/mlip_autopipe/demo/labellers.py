"""The demo labellers by their seed-demo names: each factory's structure generator, its calculator, and
what it leaves alone. For the scripts that make or label a labeller's structures outside the factories' own
command line (label_structures.py, the analysis scripts, the benches).

The factories are imported when asked for: each loads its own calculator, and matscipy's are not free.
"""

DEMO_LABELLERS = ("emt", "kumagai-si", "erhart-albe-sic")


def demo_labeller(name, elements=("Cu",)):
    """A demo labeller by its seed-demo name: (make_structure(rng, index) → record, its calculator,
    clear(atoms) → whether the labeller's own artefacts leave a structure alone). `elements` is EMT's only."""
    if name == "emt":
        from ase.calculators.emt import EMT
        from mlip_autopipe.demo import emt_factory
        return (lambda rng, index: emt_factory.make_structure(rng, list(elements), index)), EMT(), lambda _: True
    if name == "erhart-albe-sic":
        from mlip_autopipe.demo import sic_factory
        return sic_factory.make_structure, sic_factory.CALCULATOR, sic_factory.clear_of_cutoff_windows
    if name == "kumagai-si":
        from mlip_autopipe.demo import silicon_factory
        return silicon_factory.make_structure, silicon_factory.CALCULATOR, lambda _: True
    raise ValueError(f"unknown labeller {name!r}: one of {', '.join(DEMO_LABELLERS)}")
