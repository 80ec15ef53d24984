#!/usr/bin/env bash
# TEST DOUBLE (fault injection): the real Python, as it runs on a worker whose environment lacks the
# TensorFlow backend: finding or importing tensorpotential or tensorflow fails exactly as where they are
# not installed. Runs a script with its arguments (python SCRIPT ARGS...); the real Python is REAL_PYTHON.
exec "$REAL_PYTHON" -c '
import importlib.abc
import runpy
import sys


class WithoutTensorFlow(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("tensorpotential", "tensorflow"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, WithoutTensorFlow())
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
' "$@"
