#!/usr/bin/env bash
# TEST DOUBLE (fault injection): the real pacemaker, as it runs on a worker whose Python environment lacks
# the TensorFlow backend: importing tensorpotential or tensorflow fails exactly as where they are not
# installed. The real Python environment is taken from REAL_PYTHON.
exec "$REAL_PYTHON" - "$@" <<'PY'
import importlib.abc
import sys


class WithoutTensorFlow(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("tensorpotential", "tensorflow"):
            raise ModuleNotFoundError(f"No module named '{name}'", name=name)
        return None


sys.meta_path.insert(0, WithoutTensorFlow())
sys.argv[0] = "pacemaker"
from pyace.cli.pacemaker import main

sys.exit(main())
PY
