"""The mocked DFT step of an active-learning loop: labels given structures with the demo factories' calculators.

Usage: python label_structures.py --labeller emt|kumagai-si|erhart-albe-sic  < structures.jsonl > labelled.jsonl

Reads JSON lines {"id", "structure"} (the calculations contract's structure: flat positions, flat cell or
null, pbc) and prints JSON lines {"id", "results"} (energy eV, forces eV/Å flat, stress eV/Å³ Voigt for
fully periodic cells), or {"id", "error"} for a structure the calculator cannot
label (an element EMT has no parameters for). The same calculators as emt_factory.py,
silicon_factory.py and sic_factory.py, so labelled candidates sit in the same "DFT" as the seeded campaign.
"""

import argparse
import json
import sys

from mlip_autopipe.common.structures import structure_atoms
from mlip_autopipe.demo.calculation_factory import labelled_results
from mlip_autopipe.demo.labellers import DEMO_LABELLERS, demo_labeller


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--labeller", choices=DEMO_LABELLERS, default="emt")
    args = parser.parse_args()
    calc = demo_labeller(args.labeller)[1]
    for line in sys.stdin:
        if not line.strip():
            continue
        item = json.loads(line)
        try:
            out = {"id": item["id"], "results": labelled_results(structure_atoms(item["structure"]), calc)}
        except Exception as err:  # one bad structure must not stop the batch; the caller reports it by id
            out = {"id": item.get("id"), "error": f"{type(err).__name__}: {err}"}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
