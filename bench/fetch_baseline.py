"""The baseline for `npm run bench -- fetch`: what an ASE user would write to dump a campaign to extxyz.

Usage: python fetch_baseline.py MONGODB_URI DB CAMPAIGN OUT.extxyz
Prints one JSON line: {"seconds", "structures", "bytes", "maxRssKB", "cpuSeconds"}.
"""

import json
import os
import resource
import sys
import time

import numpy as np
from ase import Atoms
from ase.calculators.singlepoint import SinglePointCalculator
from ase.io import write
from pymongo import MongoClient


def main():
    uri, db_name, campaign, out = sys.argv[1:5]
    start = time.perf_counter()
    client = MongoClient(uri)
    frames = []
    for doc in client[db_name].calculations.find({"campaign": campaign, "status": "completed"}).sort("_id", 1):
        s, r = doc["structure"], doc["results"]
        atoms = Atoms(
            symbols=s["symbols"],
            positions=np.reshape(s["positions"], (-1, 3)),
            cell=None if s["cell"] is None else np.reshape(s["cell"], (3, 3)),
            pbc=s["pbc"],
        )
        atoms.calc = SinglePointCalculator(
            atoms, energy=r["energy"], forces=np.reshape(r["forces"], (-1, 3)), stress=r.get("stress")
        )
        atoms.info["calc_id"] = str(doc["_id"])
        frames.append(atoms)
    write(out, frames, format="extxyz")
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "seconds": seconds,
                "structures": len(frames),
                "bytes": os.path.getsize(out),
                "maxRssKB": usage.ru_maxrss,
                "cpuSeconds": usage.ru_utime + usage.ru_stime,
            }
        )
    )


if __name__ == "__main__":
    main()
