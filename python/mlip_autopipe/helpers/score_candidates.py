"""Streaming scorer of candidate structures for the scoreCandidates activity.

Usage: python score_candidates.py --member POTENTIAL [ASI] [--member POTENTIAL [ASI] ...]

One --member per committee member (one for a single potential): its potential file, and its active set
(.asi) when it has one, in which case POTENTIAL must be the member's B-basis .yaml (pyace reads an active
set only with it); without an active set, the .yace. The potentials are loaded once.

Reads JSON lines {"id", "structure"} (the calculations contract's structure: flat positions, flat cell or
null, pbc) from stdin and writes exactly one JSON line per non-empty input line to stdout, in input order, flushed
at once:
  {"id", "gammaMax", "committeeForceStd"}   gammaMax: the largest extrapolation grade over the atoms (an
      atom's grade is the smallest over the members with an active set), null without one;
      committeeForceStd: the largest over the atoms of the members' force disagreement (eV/Å, the RMS
      over x, y, z of their standard deviation), null for a single potential;
  {"id", "error"}   a structure that cannot be scored (an element the potential lacks, a bad structure).
Before the first structure it writes {"ready": {"members", "elements", "activeSets"}}; after stdin ends,
{"done": {"scored", "failed", "peakRssKB"}}. Exit code 2 for a bad command line or potential files that
cannot be loaded (the reason on stderr).
"""
import argparse
import json
import math
import os
import resource
import sys

from mlip_autopipe.common.committee import Committee
from mlip_autopipe.common.structures import structure_atoms


def parse_members(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--member", nargs="+", action="append", required=True, metavar="FILE",
                        help="POTENTIAL [ASI] of one member; repeat for a committee")
    args = parser.parse_args(argv)
    members = []
    for files in args.member:
        if len(files) > 2:
            parser.error(f"--member takes a potential and at most one active set, got {files}")
        members.append((files[0], files[1] if len(files) == 2 else None))
    return members


def finite_or_none(value):
    if value is None:
        return None
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"the potential predicted a non-finite value ({value})")
    return value


def score_line(committee, elements, line):
    """One input line → one output record."""
    try:
        request = json.loads(line)
        cid = request["id"]
        structure = request["structure"]
    except (ValueError, KeyError, TypeError) as exc:
        return {"id": None, "error": f"unreadable input line: {exc}"}
    try:
        unknown = sorted(set(structure["symbols"]) - elements)
        if unknown:
            return {"id": cid, "error": f"element(s) {', '.join(unknown)} not in the potential "
                                        f"(it has {', '.join(sorted(elements))})"}
        prediction = committee.predict(structure_atoms(structure))
        return {"id": cid,
                "gammaMax": finite_or_none(prediction.gamma_max),
                "committeeForceStd": finite_or_none(prediction.force_disagreement_max)}
    except Exception as exc:  # a bad structure must not stop the others
        return {"id": cid, "error": f"{type(exc).__name__}: {exc}"}


def protocol_stream():
    """stdout for the protocol only: whatever a library prints (at Python or C level) goes to stderr."""
    sys.stdout.flush()
    out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    return out


def main(argv=None):
    members = parse_members(sys.argv[1:] if argv is None else argv)
    out = protocol_stream()
    try:
        with_asi = any(asi is not None for _, asi in members)
        committee = Committee([p for p, _ in members],
                              active_sets=[asi for _, asi in members] if with_asi else None)
    except Exception as exc:
        print(f"cannot load the potential(s): {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    elements = committee.elements
    out.write(json.dumps({"ready": {"members": len(members), "elements": sorted(elements),
                                    "activeSets": sum(asi is not None for _, asi in members)}}) + "\n")
    out.flush()
    scored = failed = 0
    for line in sys.stdin:
        if not line.strip():
            continue
        record = score_line(committee, elements, line)
        if "error" in record:
            failed += 1
        else:
            scored += 1
        out.write(json.dumps(record) + "\n")
        out.flush()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    out.write(json.dumps({"done": {"scored": scored, "failed": failed, "peakRssKB": peak_kb}}) + "\n")
    out.flush()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:
        # The reader (the activity) went away: cancelled or crashed. Nothing left to report to.
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
