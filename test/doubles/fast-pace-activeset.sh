#!/usr/bin/env bash
# TEST DOUBLE (stand-in for pace_activeset, used with test/doubles/fast-pacemaker.sh):
# `fast-pace-activeset.sh POTENTIAL.yaml --dataset D [...]` writes POTENTIAL.asi (the name pace_activeset
# gives it) holding a marker text, not an active set, and prints pace_activeset's per-element summary lines,
# so a load test spends no time in Python while the activity's parsing and publishing run for real.
set -euo pipefail
potential=""
dataset=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    -d | --dataset) dataset="$2"; shift 2 ;;
    -*) shift ;;
    *) potential="$1"; shift ;;
  esac
done
[[ -n "$potential" && -n "$dataset" ]] || { echo "usage: fast-pace-activeset.sh POTENTIAL.yaml --dataset D" >&2; exit 2; }
[[ -f "$potential" && -f "$dataset" ]] || { echo "FileNotFoundError: $potential or $dataset" >&2; exit 1; }
echo "$(date '+%Y/%m/%d %H:%M:%S') I - 	Element: Cu, # atoms: 100, # B-func: 6, # projections: 6"
echo "$(date '+%Y/%m/%d %H:%M:%S') I - 	Element: Cu, Active set inv. shape: (6, 6), gamma_max: 1.000"
echo "test double: not an active set" >"${potential//.yaml/.asi}"
