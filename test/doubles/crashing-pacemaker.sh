#!/usr/bin/env bash
# TEST DOUBLE (fault injection): behaves like the real pacemaker for --version and --dry-run, so the
# configuration step is checked for real, then crashes a few lines into the fit like a failing trainer.
# The real pacemaker is taken from REAL_PACEMAKER_BIN.
for arg in "$@"; do
  case "$arg" in
    --dry-run | -dr | --version | -v) exec "$REAL_PACEMAKER_BIN" "$@" ;;
  esac
done
echo "2026-01-01 00:00:00,000 - pyace.metrics_aggregator - INFO - Initial state:#0    (1 evals):        Loss: 2.6400e-01 | RMSE Energy(low): 39.77 (39.77) meV/at | Forces(low): 540.47 (540.47) meV/A | Time/eval: 1.00 mcs/at"
echo "Traceback (most recent call last):" >&2
echo "RuntimeError: injected trainer crash (test double)" >&2
exit 3
