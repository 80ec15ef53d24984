"""Writing a pacemaker dataset (a pandas DataFrame pickled with gzip), as the helpers that make one do."""
import os


def write_dataset(frame, out: str) -> None:
    """Pickles `frame` to `out` (gzip, protocol 4) under <out>.partial, renamed when complete.

    mtime 0: the gzip header carries no time stamp, so the same rows give the same bytes.
    """
    partial = out + ".partial"
    frame.to_pickle(partial, compression={"method": "gzip", "mtime": 0}, protocol=4)
    os.replace(partial, out)
