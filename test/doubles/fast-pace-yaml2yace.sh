#!/usr/bin/env bash
# TEST DOUBLE (stand-in converter for test/doubles/fast-pacemaker.sh): `fast-pace-yaml2yace.sh IN.yaml -o OUT`
# copies IN.yaml to OUT instead of converting it, so a load test spends no time in pace_yaml2yace.
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
cp "$in" "$out"
