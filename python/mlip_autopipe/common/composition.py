"""Composition classes of structures: how the metrics, the stratified split and the analysis scripts group
a campaign's structures, so that a user sees which part of it fits worse."""

# A structure in which one element makes more than this share of the atoms is "<El>-rich".
RICH_SHARE = 0.55


def composition_class(counts):
    """"Si" (one element only), "Si-rich" (one element above RICH_SHARE of the atoms) or "mixed"."""
    present = {e: int(n) for e, n in counts.items() if n > 0}
    if len(present) == 1:
        return next(iter(present))
    element, most = max(sorted(present.items()), key=lambda item: item[1])
    return f"{element}-rich" if most / sum(present.values()) > RICH_SHARE else "mixed"
