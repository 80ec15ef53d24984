#!/usr/bin/env bash
# TEST DOUBLE (stand-in converter for test/doubles/fast-pacemaker.sh): `fast-pace-yaml2yace.sh IN.yaml -o OUT`
# writes the two header lines a real .yace starts with (its elements, from IN.yaml's one-element species
# blocks, and E0 zeros) followed by a copy of IN.yaml instead of converting it, so a load test spends no
# time in pace_yaml2yace and the reference energies can still be folded into E0.
set -euo pipefail
in="$1"
out=""
shift
while [[ $# -gt 0 ]]; do
  case "$1" in
    -o | --output) out="$2"; shift 2 ;;
    *) shift ;;
  esac
done
[[ -n "$out" ]] || { echo "usage: fast-pace-yaml2yace.sh IN.yaml -o OUT" >&2; exit 2; }
elements=$(sed -n 's/^ *- speciesblock: *\([A-Z][a-z]\?\) *$/\1/p' "$in" | paste -sd, - | sed 's/,/, /g')
zeros=$(sed -n 's/^ *- speciesblock: *\([A-Z][a-z]\?\) *$/0/p' "$in" | paste -sd, - | sed 's/,/, /g')
{ printf 'elements: [%s]\nE0: [%s]\n' "$elements" "$zeros"; cat "$in"; } > "$out"
