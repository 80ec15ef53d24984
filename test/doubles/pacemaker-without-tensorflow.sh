#!/usr/bin/env bash
# TEST DOUBLE (fault injection): the real pacemaker, as it runs on a worker whose Python environment lacks
# the TensorFlow backend: importing tensorpotential or tensorflow fails exactly as where they are not
# installed (python-without-tensorflow.sh does that). The real Python environment is taken from REAL_PYTHON.
exec "$(dirname "${BASH_SOURCE[0]}")/python-without-tensorflow.sh" "$(dirname "$REAL_PYTHON")/pacemaker" "$@"
